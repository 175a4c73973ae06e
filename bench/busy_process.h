#pragma once
// A competing CPU-bound process for `attnscope-bench --contended`: what a compiler or a browser tab does to a
// desktop's cores. Forked on construction (one busy loop, nothing else), killed on destruction.
#include <sys/types.h>

namespace attnscope::bench {

class BusyProcess {
public:
    BusyProcess();
    ~BusyProcess();
    BusyProcess(const BusyProcess&) = delete;
    BusyProcess& operator=(const BusyProcess&) = delete;
    bool running() const { return m_pid > 0; }

private:
    pid_t m_pid = -1;
};

} // namespace attnscope::bench
