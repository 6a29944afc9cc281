# ArtBot: multi-stage build. The runtime base is Ubuntu 24.04 (noble), whose libstdc++ (GCC 14)
# has GLIBCXX_3.4.32, so TorchSharp loads there without the binary patch the build applies on
# older hosts (the patch target detects that and does nothing). The ASP.NET Core runtime serves
# the web chat.
#   CPU:  docker build -t artbot .
#   GPU:  docker build --build-arg TORCH_BACKEND=cuda -t artbot:cuda .   (run with --gpus all)
ARG TORCH_BACKEND=cpu

FROM mcr.microsoft.com/dotnet/sdk:10.0-noble AS build
ARG TORCH_BACKEND
WORKDIR /src
# Restore as its own layer: it is redone only when a project file or the package list changes.
COPY global.json Directory.Build.props Directory.Build.targets Directory.Packages.props ./
COPY build/ build/
COPY src/ArtBot.Configuration/ArtBot.Configuration.csproj src/ArtBot.Configuration/
COPY src/ArtBot.Domain/ArtBot.Domain.csproj src/ArtBot.Domain/
COPY src/ArtBot.Engine/ArtBot.Engine.csproj src/ArtBot.Engine/
COPY src/ArtBot.Scheduling/ArtBot.Scheduling.csproj src/ArtBot.Scheduling/
COPY src/ArtBot.Storage/ArtBot.Storage.csproj src/ArtBot.Storage/
COPY src/ArtBot.Storage.Postgres/ArtBot.Storage.Postgres.csproj src/ArtBot.Storage.Postgres/
COPY src/ArtBot.Telegram/ArtBot.Telegram.csproj src/ArtBot.Telegram/
COPY src/ArtBot.Vk/ArtBot.Vk.csproj src/ArtBot.Vk/
COPY src/ArtBot.Web/ArtBot.Web.csproj src/ArtBot.Web/
COPY src/ArtBot.Host/ArtBot.Host.csproj src/ArtBot.Host/
RUN dotnet restore src/ArtBot.Host/ArtBot.Host.csproj -p:TorchBackend=${TORCH_BACKEND}
COPY src/ src/
RUN dotnet publish src/ArtBot.Host/ArtBot.Host.csproj -c Release -o /app --no-restore -p:TorchBackend=${TORCH_BACKEND}

FROM mcr.microsoft.com/dotnet/aspnet:10.0-noble AS runtime
RUN apt-get update \
 && apt-get install -y --no-install-recommends fonts-dejavu-core libgomp1 ffmpeg libjemalloc2 \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system artbot && useradd --system --gid artbot --home /app artbot \
 && mkdir -p /data /models && chown artbot:artbot /data
WORKDIR /app
COPY --from=build /app/ /app/
COPY config/ /app/config/
COPY styles/ /app/styles/
# Weights are mounted, not baked in: the same folders as ../shared/models (see README).
# The LiteDB file lives in /data. Tokens and every setting come from ARTBOT_* variables.
# jemalloc keeps a render's freed blocks for its next iteration (faster, and leaner than glibc:
# see README, Memory); the engine hands them back once idle.
ENV LD_PRELOAD=/usr/lib/x86_64-linux-gnu/libjemalloc.so.2 \
    MALLOC_CONF=oversize_threshold:0,dirty_decay_ms:-1,muzzy_decay_ms:-1 \
    ARTBOT_ROOT=/app \
    ARTBOT_MODELS=/models \
    ARTBOT_Queue__DatabasePath=/data/artbot.db \
    ARTBOT_Web__Port=8080 \
    ARTBOT_Ops__Host=0.0.0.0 \
    ARTBOT_Ops__Port=8081
VOLUME ["/models", "/data"]
# The web chat, when it runs (no token, or ARTBOT_Web__Enabled=true). Outside a container it
# listens on loopback only; here set ARTBOT_Web__Host=0.0.0.0 and ARTBOT_Web__AccessKey.
EXPOSE 8080 8081
USER artbot
# Ready: the store answers, the engine is loaded (where this role renders), the platforms answer.
HEALTHCHECK --interval=30s --timeout=15s --start-period=60s --retries=3 CMD ["dotnet", "/app/artbot.dll", "health"]
ENTRYPOINT ["dotnet", "/app/artbot.dll"]
# The bot: pass ARTBOT_Telegram__Token and/or ARTBOT_Vk__Token + ARTBOT_Vk__GroupId.
# `docker run … artbot demo -o /data/out` tries the engine alone.
CMD ["run"]
