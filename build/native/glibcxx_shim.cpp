// GCC 13 emits a call to std::ios_base_library_init() (GLIBCXX_3.4.32) from every
// translation unit that includes <iostream>. libLibTorchSharp.so 0.107 was built that
// way, so it cannot load against the libstdc++ of Debian 12 / Ubuntu 22.04 (3.4.30).
// Its job is only to make sure the standard streams are constructed, which one
// ios_base::Init object does on any libstdc++.
#include <ios>

namespace std {
__attribute__((visibility("default"))) void ios_base_library_init() {
    static ios_base::Init init;
}
}
