# ArtBot: multi-stage build. The runtime base is Ubuntu 24.04, whose libstdc++ (GCC 14) has
# GLIBCXX_3.4.32, so TorchSharp loads there without the binary patch the build applies on older
# hosts (the patch target detects that and does nothing).
#   CPU:  docker build -t artbot .
#   GPU:  docker build --build-arg TORCH_BACKEND=cuda -t artbot:cuda .   (run with --gpus all)
ARG TORCH_BACKEND=cpu

FROM mcr.microsoft.com/dotnet/sdk:10.0-noble AS build
ARG TORCH_BACKEND
WORKDIR /src
COPY . .
RUN dotnet publish src/ArtBot.Host/ArtBot.Host.csproj -c Release -o /app -p:TorchBackend=${TORCH_BACKEND}

FROM mcr.microsoft.com/dotnet/runtime:10.0-noble AS runtime
RUN apt-get update \
 && apt-get install -y --no-install-recommends fonts-dejavu-core libgomp1 \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY --from=build /app/ /app/
COPY config/ /app/config/
COPY styles/ /app/styles/
# Weights are mounted, not baked in: the same folders as ../shared/models (see README).
ENV ARTBOT_ROOT=/app \
    ARTBOT_MODELS=/models \
    ARTBOT_Queue__DatabasePath=/data/artbot.db
VOLUME ["/models", "/data"]
ENTRYPOINT ["dotnet", "/app/artbot.dll"]
# The bot; pass ARTBOT_Telegram__Token. `docker run … artbot demo -o /data/out` tries the engine alone.
CMD ["run"]
