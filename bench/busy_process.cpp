#include "bench/busy_process.h"

#include <csignal>
#include <cstdio>
#include <sys/wait.h>
#include <unistd.h>

namespace attnscope::bench {

BusyProcess::BusyProcess() {
    m_pid = fork();
    if (m_pid == 0) {
        // The child only spins (no allocation, no locks: safe after fork in a threaded process).
        volatile unsigned long counter = 0;
        for (;;) counter = counter + 1;
    }
    if (m_pid < 0) std::perror("attnscope-bench: cannot start the competing process");
}

BusyProcess::~BusyProcess() {
    if (m_pid <= 0) return;
    kill(m_pid, SIGKILL);
    waitpid(m_pid, nullptr, 0);
}

} // namespace attnscope::bench
