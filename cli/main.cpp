// attnscope-cli: headless training, evaluation and export on the same core and run files as the app.
#include <cstdio>
#include <cstring>

int main(int argc, char** argv) {
    if (argc < 2 || !std::strcmp(argv[1], "--help") || !std::strcmp(argv[1], "-h")) {
        std::printf("attnscope-cli %s\nusage: attnscope-cli <command> [options]\n", ATTNSCOPE_VERSION);
        return 0;
    }
    if (!std::strcmp(argv[1], "--version")) {
        std::printf("%s\n", ATTNSCOPE_VERSION);
        return 0;
    }
    std::fprintf(stderr, "attnscope-cli: unknown command '%s' (see --help)\n", argv[1]);
    return 2;
}
