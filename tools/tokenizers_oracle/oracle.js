// Encodes JSON lines ({"text": ..., "text_pair": ...}) with Hugging Face tokenizers (the Rust library,
// through @anush008/tokenizers) the way transformers' fast tokenizers call it, and prints one JSON line
// per input: input_ids, token_type_ids, attention_mask, tokens. The reference `jpqd tokenize` is
// compared against (tests/integration/runtime/tokenizers_oracle.sh).
//
//   node oracle.js <tokenizer.json> <input.jsonl> <max_length|0> <longest_first|only_first|only_second|do_not_truncate>
//                  <max_length|longest|do_not_pad> <pad_id> <pad_token> <batch_size> [right|left]
'use strict';
const fs = require('fs');
const { Tokenizer } = require('@anush008/tokenizers');

async function main() {
  const [tokenizerPath, inputPath, maxLengthArg, truncation, padding, padIdArg, padToken, batchArg, side] =
    process.argv.slice(2);
  const maxLength = Number(maxLengthArg);
  const batchSize = Number(batchArg);
  const tokenizer = Tokenizer.fromFile(tokenizerPath);
  tokenizer.disableTruncation();
  tokenizer.disablePadding();
  const strategies = { longest_first: 'LongestFirst', only_first: 'OnlyFirst', only_second: 'OnlySecond' };
  if (truncation !== 'do_not_truncate') {
    tokenizer.setTruncation(maxLength, { strategy: strategies[truncation] });
  }
  const padOptions = { padId: Number(padIdArg), padTypeId: 0, padToken, direction: side === 'left' ? 'left' : 'right' };
  if (padding === 'max_length') tokenizer.setPadding({ ...padOptions, maxLength });

  const lines = fs.readFileSync(inputPath, 'utf8').split('\n').filter((l) => l.length > 0);
  const out = [];
  for (let start = 0; start < lines.length; start += batchSize) {
    const batch = lines.slice(start, start + batchSize).map((l) => JSON.parse(l));
    // An input the library refuses (only_first/only_second cannot cut enough) gives {"error": ...}.
    const encodings = await Promise.all(batch.map((r) => tokenizer.encode(r.text, r.text_pair ?? null)
      .catch((e) => ({ error: String(e.message || e) }))));
    const encoded = encodings.filter((e) => !e.error);
    if (padding === 'longest' && encoded.length > 0) {
      // The library's BatchLongest: every encoding padded to the longest of its batch.
      const longest = Math.max(...encoded.map((e) => e.getLength()));
      for (const e of encoded) e.pad(longest, padOptions);
    }
    for (const e of encodings) {
      if (e.error) {
        out.push(JSON.stringify({ error: e.error }));
        continue;
      }
      // Keys in jpqd's order, so that compare.py can compare most lines as strings.
      out.push(JSON.stringify({ attention_mask: e.getAttentionMask(), input_ids: e.getIds(),
                                token_type_ids: e.getTypeIds(), tokens: e.getTokens() }));
    }
  }
  process.stdout.write(out.join('\n') + (out.length ? '\n' : ''));
}

main().catch((e) => { console.error(`oracle: ${e.message || e}`); process.exit(1); });
