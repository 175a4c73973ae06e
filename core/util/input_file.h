#pragma once
// Reading a whole input file the user named (a config, a corpus, a checkpoint). Only regular files are read:
// a FIFO would block forever and a device such as /dev/zero never ends, so both are refused with a
// sentence; so is a file larger than the caller's bound, before anything is allocated.
#include <cstddef>
#include <string>

namespace attnscope {

inline constexpr std::size_t kMaxConfigFileBytes = std::size_t(16) << 20; // JSON configs, sweep specs

// The bytes of `path`. `label` names the file in messages ("The config file 'x.json'"). Throws
// attnscope::Error when it does not exist, is a folder, a FIFO, a device or a socket, cannot be read, or
// holds more than `maxBytes` bytes.
std::string readInputFile(const std::string& path, std::size_t maxBytes, const std::string& label);

// What a file of stat mode `mode` is, for messages: "a folder", "a FIFO (named pipe)", "a device",
// "a socket", or "not a regular file".
std::string fileTypeName(unsigned mode);

} // namespace attnscope
