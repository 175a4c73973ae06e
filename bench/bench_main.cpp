// attnscope-bench: engine throughput and utilisation (see README "Benchmark").
#include <cstdio>

int main() {
    std::printf("attnscope-bench: nothing measured yet\n");
    return 0;
}
