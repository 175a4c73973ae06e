#include "core/io/safetensors.h"

#include "core/io/blob_codec.h"
#include "core/util/error.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <limits>
#include <nlohmann/json.hpp>
#include <utility>

namespace attnscope {

namespace {

// The reference implementation refuses headers above 100 MB; so do we, before allocating anything.
constexpr std::uint64_t kMaxHeaderBytes = 100'000'000;

constexpr std::array<std::pair<const char*, std::size_t>, 15> kDtypes{{
    {"BOOL", 1},
    {"U8", 1},
    {"I8", 1},
    {"F8_E5M2", 1},
    {"F8_E4M3", 1},
    {"I16", 2},
    {"U16", 2},
    {"F16", 2},
    {"BF16", 2},
    {"I32", 4},
    {"U32", 4},
    {"F32", 4},
    {"F64", 8},
    {"I64", 8},
    {"U64", 8},
}};

[[noreturn]] void malformed(const std::string& why) {
    throw Error("The checkpoint is not a valid safetensors file: " + why + ".");
}

// Product of the dimensions, or nullopt-like −1 on a negative dimension or overflow past 2^62.
std::int64_t checkedElementCount(const std::vector<std::int64_t>& shape) {
    std::int64_t count = 1;
    for (std::int64_t dim : shape) {
        if (dim < 0) return -1;
        if (dim != 0 && count > (std::int64_t(1) << 62) / dim) return -1;
        count *= dim;
    }
    return count;
}

template <typename T> T loadLittleEndian(const std::uint8_t* p) {
    T value;
    std::memcpy(&value, p, sizeof(T));
    return value;
}

std::int64_t readOffset(const nlohmann::json& value, const std::string& tensor) {
    if (value.is_number_unsigned() && value.get<std::uint64_t>() <= std::uint64_t(INT64_MAX))
        return value.get<std::int64_t>();
    if (value.is_number_integer() && value.get<std::int64_t>() >= 0) return value.get<std::int64_t>();
    malformed("tensor \"" + tensor + "\" has a non-integer or negative number in its header entry");
}

SafeTensor parseTensorEntry(const std::string& name, const nlohmann::json& info, std::int64_t& begin,
                            std::int64_t& end) {
    if (!info.is_object()) malformed("header entry \"" + name + "\" is not an object");
    const auto dtype = info.find("dtype");
    const auto shape = info.find("shape");
    const auto offsets = info.find("data_offsets");
    if (dtype == info.end() || !dtype->is_string() || shape == info.end() || !shape->is_array() ||
        offsets == info.end() || !offsets->is_array() || offsets->size() != 2)
        malformed("tensor \"" + name + "\" needs a string dtype, a shape array and two data_offsets");
    SafeTensor tensor;
    tensor.name = name;
    tensor.dtype = dtype->get<std::string>();
    if (dtypeSize(tensor.dtype) == 0)
        malformed("tensor \"" + name + "\" has unknown dtype \"" + tensor.dtype + "\"");
    for (const auto& dim : *shape) tensor.shape.push_back(readOffset(dim, name));
    begin = readOffset((*offsets)[0], name);
    end = readOffset((*offsets)[1], name);
    const std::int64_t count = checkedElementCount(tensor.shape);
    if (count < 0 || count > std::numeric_limits<std::int64_t>::max() / 8)
        malformed("tensor \"" + name + "\" has an impossibly large shape");
    if (end < begin || end - begin != count * std::int64_t(dtypeSize(tensor.dtype)))
        malformed("tensor \"" + name + "\" has data_offsets [" + std::to_string(begin) + ", " +
                  std::to_string(end) + "] that do not match " + tensor.dtype + " × its shape");
    return tensor;
}

} // namespace

std::size_t dtypeSize(const std::string& dtype) {
    for (const auto& [name, size] : kDtypes)
        if (dtype == name) return size;
    return 0;
}

std::int64_t SafeTensor::elementCount() const {
    return checkedElementCount(shape);
}

void convertToFloat32(const std::string& dtype, const std::uint8_t* p, std::size_t n, float* out,
                      const std::string& tensor) {
    if (dtype == "F32") {
        if (n) std::memcpy(out, p, n * 4);
    } else if (dtype == "F64") {
        for (std::size_t i = 0; i < n; ++i) out[i] = float(loadLittleEndian<double>(p + 8 * i));
    } else if (dtype == "F16") {
        for (std::size_t i = 0; i < n; ++i)
            out[i] = blob::halfToFloat(loadLittleEndian<std::uint16_t>(p + 2 * i));
    } else if (dtype == "BF16") {
        for (std::size_t i = 0; i < n; ++i)
            out[i] = std::bit_cast<float>(std::uint32_t(loadLittleEndian<std::uint16_t>(p + 2 * i)) << 16);
    } else {
        throw Error("Tensor \"" + tensor + "\" has dtype " + dtype + ", which is not a floating-point type.");
    }
}

std::vector<float> SafeTensor::toFloat32() const {
    const std::size_t n = bytes.size() / std::max<std::size_t>(1, dtypeSize(dtype));
    std::vector<float> out(n);
    convertToFloat32(dtype, bytes.data(), n, out.data(), name);
    return out;
}

std::vector<std::int64_t> SafeTensor::toInt64() const {
    const std::size_t size = dtypeSize(dtype);
    const bool isInteger = dtype == "BOOL" || dtype[0] == 'I' || dtype[0] == 'U';
    if (!isInteger || size == 0)
        throw Error("Tensor \"" + name + "\" has dtype " + dtype + ", which is not an integer type.");
    const bool isSigned = dtype[0] == 'I';
    std::vector<std::int64_t> out(bytes.size() / size);
    for (std::size_t i = 0; i < out.size(); ++i) {
        std::uint64_t raw = 0;
        std::memcpy(&raw, bytes.data() + i * size, size);
        if (isSigned && size < 8 && (raw >> (8 * size - 1)) & 1u) raw |= ~std::uint64_t(0) << (8 * size);
        out[i] = std::int64_t(raw);
    }
    return out;
}

void SafeTensorsFile::add(SafeTensor tensor) {
    if (tensor.name.empty() || tensor.name == "__metadata__")
        throw Error("A checkpoint tensor cannot be named \"" + tensor.name + "\".");
    if (find(tensor.name)) throw Error("The checkpoint already has a tensor named \"" + tensor.name + "\".");
    const std::size_t size = dtypeSize(tensor.dtype);
    if (size == 0) throw Error("Tensor \"" + tensor.name + "\" has unknown dtype \"" + tensor.dtype + "\".");
    const std::int64_t count = checkedElementCount(tensor.shape);
    if (count < 0) throw Error("Tensor \"" + tensor.name + "\" has a negative or overflowing shape.");
    if (tensor.bytes.size() != std::size_t(count) * size)
        throw Error("Tensor \"" + tensor.name + "\" has " + std::to_string(tensor.bytes.size()) +
                    " bytes but its shape needs " + std::to_string(std::size_t(count) * size) + ".");
    m_tensors.push_back(std::move(tensor));
}

void SafeTensorsFile::addRaw(const std::string& name, const char* dtype, const void* data,
                             std::size_t elementSize, const std::vector<std::int64_t>& shape) {
    const std::int64_t count = checkedElementCount(shape);
    if (count < 0) throw Error("Tensor \"" + name + "\" has a negative or overflowing shape.");
    SafeTensor tensor{name, dtype, shape, std::vector<std::uint8_t>(std::size_t(count) * elementSize)};
    if (count > 0) std::memcpy(tensor.bytes.data(), data, tensor.bytes.size());
    add(std::move(tensor));
}

void SafeTensorsFile::add(const std::string& name, const float* data,
                          const std::vector<std::int64_t>& shape) {
    addRaw(name, "F32", data, 4, shape);
}
void SafeTensorsFile::add(const std::string& name, const double* data,
                          const std::vector<std::int64_t>& shape) {
    addRaw(name, "F64", data, 8, shape);
}
void SafeTensorsFile::add(const std::string& name, const std::int32_t* data,
                          const std::vector<std::int64_t>& shape) {
    addRaw(name, "I32", data, 4, shape);
}
void SafeTensorsFile::add(const std::string& name, const std::int64_t* data,
                          const std::vector<std::int64_t>& shape) {
    addRaw(name, "I64", data, 8, shape);
}
void SafeTensorsFile::add(const std::string& name, const std::uint8_t* data,
                          const std::vector<std::int64_t>& shape) {
    addRaw(name, "U8", data, 1, shape);
}

void SafeTensorsFile::addAsF16(const std::string& name, const float* data,
                               const std::vector<std::int64_t>& shape) {
    const std::int64_t count = checkedElementCount(shape);
    if (count < 0) throw Error("Tensor \"" + name + "\" has a negative or overflowing shape.");
    std::vector<std::uint16_t> halves(static_cast<std::size_t>(count));
    for (std::size_t i = 0; i < halves.size(); ++i) halves[i] = blob::floatToHalf(data[i]);
    addRaw(name, "F16", halves.data(), 2, shape);
}

const SafeTensor* SafeTensorsFile::find(const std::string& name) const {
    for (const auto& t : m_tensors)
        if (t.name == name) return &t;
    return nullptr;
}

const SafeTensor& SafeTensorsFile::get(const std::string& name) const {
    if (const SafeTensor* t = find(name)) return *t;
    throw Error("The checkpoint has no tensor \"" + name + "\".");
}

std::vector<std::uint8_t> SafeTensorsFile::serialize() const {
    std::vector<const SafeTensor*> order;
    for (const auto& t : m_tensors) order.push_back(&t);
    std::stable_sort(order.begin(), order.end(), [](const SafeTensor* a, const SafeTensor* b) {
        const std::size_t sa = dtypeSize(a->dtype), sb = dtypeSize(b->dtype);
        return sa != sb ? sa > sb : a->name < b->name;
    });
    nlohmann::ordered_json header = nlohmann::ordered_json::object();
    if (!metadata.empty()) header["__metadata__"] = metadata;
    std::uint64_t offset = 0;
    for (const SafeTensor* t : order) {
        header[t->name] = {
            {"dtype", t->dtype}, {"shape", t->shape}, {"data_offsets", {offset, offset + t->bytes.size()}}};
        offset += t->bytes.size();
    }
    std::string text;
    try {
        text = header.dump();
    } catch (const nlohmann::json::exception&) {
        throw Error("Cannot write the checkpoint: a tensor name or metadata value is not valid UTF-8.");
    }
    text.append((8 - text.size() % 8) % 8, ' ');

    std::vector<std::uint8_t> out(8 + text.size());
    const std::uint64_t headerLength = text.size();
    std::memcpy(out.data(), &headerLength, 8);
    std::memcpy(out.data() + 8, text.data(), text.size());
    out.reserve(out.size() + offset);
    for (const SafeTensor* t : order) out.insert(out.end(), t->bytes.begin(), t->bytes.end());
    return out;
}

SafeTensorsLayout parseSafeTensorsLayout(const std::uint8_t* data, std::size_t size) {
    if (size < 8) malformed("it is only " + std::to_string(size) + " bytes long");
    const auto headerLength = loadLittleEndian<std::uint64_t>(data);
    if (headerLength > kMaxHeaderBytes)
        malformed("its header claims " + std::to_string(headerLength) + " bytes");
    if (headerLength > size - 8)
        malformed("its header length " + std::to_string(headerLength) + " runs past the end of the " +
                  std::to_string(size) + "-byte file");
    const auto* headerBegin = reinterpret_cast<const char*>(data + 8);
    const nlohmann::json header =
        nlohmann::json::parse(headerBegin, headerBegin + headerLength, nullptr, /*allow_exceptions=*/false);
    if (header.is_discarded() || !header.is_object()) malformed("its header is not a JSON object");

    SafeTensorsLayout layout;
    struct Placed {
        std::int64_t begin, end;
        SafeTensor tensor;
    };
    std::vector<Placed> placed;
    for (const auto& [key, value] : header.items()) {
        if (key == "__metadata__") {
            if (value.is_null()) continue;
            if (!value.is_object()) malformed("__metadata__ is not an object");
            for (const auto& [mk, mv] : value.items()) {
                if (!mv.is_string()) malformed("metadata \"" + mk + "\" is not a string");
                layout.metadata[mk] = mv.get<std::string>();
            }
            continue;
        }
        Placed p{0, 0, {}};
        p.tensor = parseTensorEntry(key, value, p.begin, p.end);
        placed.push_back(std::move(p));
    }
    // Like the reference reader: sorted by offset, the tensors must tile the buffer with no gap or overlap.
    std::sort(placed.begin(), placed.end(), [](const Placed& a, const Placed& b) {
        return std::pair(a.begin, a.end) < std::pair(b.begin, b.end);
    });
    const std::uint64_t bufferSize = size - 8 - headerLength;
    std::int64_t expectedBegin = 0;
    for (const Placed& p : placed) {
        if (p.begin != expectedBegin)
            malformed("tensor \"" + p.tensor.name + "\" starts at byte " + std::to_string(p.begin) +
                      ", expected " + std::to_string(expectedBegin) + " (tensors overlap or leave a gap)");
        if (std::uint64_t(p.end) > bufferSize)
            malformed("tensor \"" + p.tensor.name + "\" ends at byte " + std::to_string(p.end) +
                      ", past the end of the " + std::to_string(bufferSize) + "-byte buffer");
        expectedBegin = p.end;
    }
    if (std::uint64_t(expectedBegin) != bufferSize)
        malformed("the tensors cover " + std::to_string(expectedBegin) + " of the " +
                  std::to_string(bufferSize) + " buffer bytes");
    const std::uint64_t buffer = 8 + headerLength;
    for (Placed& p : placed)
        layout.tensors.push_back({std::move(p.tensor.name), std::move(p.tensor.dtype),
                                  std::move(p.tensor.shape), buffer + std::uint64_t(p.begin),
                                  buffer + std::uint64_t(p.end)});
    return layout;
}

SafeTensorsFile SafeTensorsFile::parse(const std::uint8_t* data, std::size_t size) {
    SafeTensorsLayout layout = parseSafeTensorsLayout(data, size);
    SafeTensorsFile file;
    file.metadata = std::move(layout.metadata);
    for (SafeTensorEntry& e : layout.tensors) {
        SafeTensor t;
        t.name = std::move(e.name), t.dtype = std::move(e.dtype), t.shape = std::move(e.shape);
        t.bytes.assign(data + e.begin, data + e.end);
        file.m_tensors.push_back(std::move(t));
    }
    return file;
}

void SafeTensorsFile::saveFile(const std::string& path) const {
    const std::vector<std::uint8_t> bytes = serialize();
    const std::string temporary = path + ".partial";
    {
        std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
        if (!out) throw Error("Cannot write " + path + ": the file cannot be created.");
        out.write(reinterpret_cast<const char*>(bytes.data()), std::streamsize(bytes.size()));
        out.flush();
        if (!out) {
            out.close();
            std::remove(temporary.c_str());
            throw Error("Cannot write " + path + ": writing failed (is the disk full?).");
        }
    }
    if (std::rename(temporary.c_str(), path.c_str()) != 0) {
        std::remove(temporary.c_str());
        throw Error("Cannot write " + path + ": the finished file could not be moved into place.");
    }
}

SafeTensorsFile SafeTensorsFile::loadFile(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw Error("Cannot open " + path + ".");
    std::vector<std::uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (in.bad()) throw Error("Cannot read " + path + ".");
    try {
        return parse(bytes);
    } catch (const Error& e) {
        throw Error(path + ": " + e.what());
    }
}

} // namespace attnscope
