"""Token labels from a Hugging Face tokenizer.json (huggingface/tokenizers' serialisation): every id's piece
as the text it stands for, so a run shows " the" where GPT-2's vocabulary says "Ġthe" and Llama's says
"▁the". Byte-level BPE (GPT-2, GPT-NeoX): pieces are written in GPT-2's byte alphabet (bytes_to_unicode) and
decode to their UTF-8 text; SentencePiece-style BPE (Llama): "▁" is a space and <0xNN> a raw byte. Bytes
that are not complete UTF-8 (a piece holding half a character) are shown as \\xNN; special tokens keep their
names."""


def byte_alphabet():
    """GPT-2's byte → character table: printable bytes stand for themselves, the others are shifted to
    chr(256 + n) in byte order (Radford et al. 2019, encoder.py bytes_to_unicode)."""
    printable = [*range(ord("!"), ord("~") + 1), *range(ord("¡"), ord("¬") + 1), *range(ord("®"), ord("ÿ") + 1)]
    table, n = {}, 0
    for b in range(256):
        if b in printable:
            table[b] = chr(b)
        else:
            table[b] = chr(256 + n)
            n += 1
    return table


def _text_of_bytes(data):
    """UTF-8 text, with control bytes other than newline and tab and broken sequences shown as \\xNN."""
    text = data.decode("utf-8", errors="backslashreplace")
    return "".join(c if c in "\n\t" or not (ord(c) < 0x20 or ord(c) == 0x7F) else f"\\x{ord(c):02x}" for c in text)


def _is_byte_level(j):
    """Whether the tokenizer works on GPT-2's byte alphabet (a ByteLevel pre-tokenizer or decoder)."""
    def has_byte_level(part):
        if not isinstance(part, dict):
            return False
        if part.get("type") == "ByteLevel":
            return True
        return any(has_byte_level(p) for key in ("pretokenizers", "decoders") for p in part.get(key, []) or [])
    return has_byte_level(j.get("pre_tokenizer")) or has_byte_level(j.get("decoder"))


def labels_from_tokenizer_json(j):
    """Labels indexed by id (ids no piece uses are shown as <id>). Raises ValueError for a file that is not
    a tokenizer.json with a vocabulary."""
    model = j.get("model") if isinstance(j, dict) else None
    if not isinstance(model, dict) or not isinstance(model.get("vocab"), (dict, list)):
        raise ValueError("not a tokenizer.json: it has no model.vocab")
    vocab = model["vocab"]
    if isinstance(vocab, list):  # Unigram: [[piece, score], ...] in id order
        vocab = {entry[0]: i for i, entry in enumerate(vocab)}
    specials = {t["content"]: int(t["id"]) for t in j.get("added_tokens") or [] if "content" in t and "id" in t}
    size = max([*vocab.values(), *specials.values(), -1]) + 1
    labels = [f"<{i}>" for i in range(size)]
    if _is_byte_level(j):
        inverse = {c: b for b, c in byte_alphabet().items()}
        for piece, i in vocab.items():
            if all(c in inverse for c in piece):
                labels[i] = _text_of_bytes(bytes(inverse[c] for c in piece))
            else:
                labels[i] = piece
    else:
        for piece, i in vocab.items():
            if len(piece) == 6 and piece.startswith("<0x") and piece.endswith(">"):
                try:
                    labels[i] = _text_of_bytes(bytes([int(piece[3:5], 16)]))
                    continue
                except ValueError:
                    pass
            labels[i] = piece.replace("▁", " ")
    for content, i in specials.items():
        labels[i] = content
    return labels
