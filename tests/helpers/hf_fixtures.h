#pragma once
// Tiny Hugging Face model folders written here (no downloads): a GPT-2 of transformers' GPT2LMHeadModel
// layout with random F32 weights and, when asked, a byte-level tokenizer.json whose vocabulary is the
// model's.
#include <string>

namespace attnscope::test {

// config.json + model.safetensors of a GPT-2 with 2 layers, 2 heads, d 8 and context 32; with `tokenizer`
// also tokenizer.json (the 256 byte tokens, the merge "t h", <|endoftext|>: vocabulary 258, the model's).
void writeTinyGpt2(const std::string& folder, bool tokenizer = true, unsigned seed = 1);

} // namespace attnscope::test
