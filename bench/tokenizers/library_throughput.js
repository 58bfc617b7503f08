// Batch-encoding throughput of Hugging Face tokenizers itself (the Rust library, through the npm package
// @anush008/tokenizers in tools/tokenizers_oracle/), with the settings encode_throughput.cc gives jpqd:
// batches of --batch_size, truncation longest_first to --max_length, padding to the longest of each batch.
//
//   node library_throughput.js --tokenizer <dir> --input <inputs.jsonl> [--batch_size 32] [--max_length 128]
//                              [--seconds 5] [--dump ids.jsonl] [--readback] [--per_input]
// Prints one JSON line like encode_throughput.cc's. Threads: the library's encodeBatch runs on rayon
// (RAYON_NUM_THREADS) and each encode() call is a task on libuv's pool (UV_THREADPOOL_SIZE); run.sh sets
// both to the thread count it compares.
// The binding's encodeBatch takes single texts only, so batches with a text_pair are encoded with one
// encode() per pair (all in flight at once) and padded to the batch's longest with Encoding.pad, as
// tokenizers' BatchLongest does; those figures include one async call per pair. --per_input encodes
// single texts that way too, which measures what those calls cost against encodeBatch.
// --readback also copies input_ids, token_type_ids and attention_mask of every encoding into JS arrays
// inside the timed loop (what a featuriser then does); without it, the encodings are made but not read.
'use strict';
const fs = require('fs');
const path = require('path');
const { Tokenizer } = require(path.join(__dirname, '..', '..', 'tools', 'tokenizers_oracle', 'node_modules',
                                        '@anush008', 'tokenizers'));

function parseFlags(argv) {
  const flags = { batch_size: 32, max_length: 128, seconds: 5, dump: '', readback: false, per_input: false };
  for (let i = 0; i < argv.length; ++i) {
    const name = argv[i].replace(/^--/, '');
    if (name === 'readback' || name === 'per_input') {
      flags[name] = true;
      continue;
    }
    if (!(name in flags) && name !== 'tokenizer' && name !== 'input') throw new Error(`unknown flag ${argv[i]}`);
    const value = argv[++i];
    flags[name] = typeof flags[name] === 'number' ? Number(value) : value;
  }
  if (!flags.tokenizer || !flags.input) throw new Error('--tokenizer and --input are required');
  return flags;
}

async function main() {
  const flags = parseFlags(process.argv.slice(2));
  const tokenizer = Tokenizer.fromFile(path.join(flags.tokenizer, 'tokenizer.json'));
  const padToken = JSON.parse(fs.readFileSync(path.join(flags.tokenizer, 'tokenizer_config.json'), 'utf8')).pad_token;
  const padId = tokenizer.tokenToId(padToken);
  if (padId === null) throw new Error(`pad token ${padToken} is not in the vocabulary`);
  tokenizer.setTruncation(flags.max_length, { strategy: 'LongestFirst' });
  const padOptions = { padId, padTypeId: 0, padToken, direction: 'right' };
  tokenizer.setPadding(padOptions);  // no maxLength: BatchLongest

  const inputs = fs.readFileSync(flags.input, 'utf8').split('\n').filter((l) => l.length > 0).map((l) => JSON.parse(l));
  const passBytes = inputs.reduce((n, r) => n + Buffer.byteLength(r.text) + (r.text_pair ? Buffer.byteLength(r.text_pair) : 0), 0);
  const batches = [];
  for (let start = 0; start < inputs.length; start += flags.batch_size) {
    const batch = inputs.slice(start, start + flags.batch_size);
    const pairs = batch.some((r) => r.text_pair !== undefined && r.text_pair !== null);
    batches.push({ pairs, texts: batch.map((r) => r.text), records: batch });
  }

  const encode = async (batch) => {
    if (!batch.pairs && !flags.per_input) return tokenizer.encodeBatch(batch.texts);
    const encodings = await Promise.all(batch.records.map((r) => tokenizer.encode(r.text, r.text_pair ?? null)));
    const longest = Math.max(...encodings.map((e) => e.getLength()));
    for (const e of encodings) e.pad(longest, padOptions);
    return encodings;
  };

  // Untimed first pass: warm-up, and the ids for the identity check.
  const dump = [];
  for (const batch of batches) {
    for (const e of await encode(batch)) {
      if (flags.dump) {
        dump.push(`{"input_ids":${JSON.stringify(e.getIds())},"token_type_ids":${JSON.stringify(e.getTypeIds())},` +
                  `"attention_mask":${JSON.stringify(e.getAttentionMask())}}`);
      }
    }
  }
  if (flags.dump) fs.writeFileSync(flags.dump, dump.join('\n') + '\n');

  let texts = 0, bytes = 0, batchCount = 0, tokens = 0, elapsed = 0;
  const start = process.hrtime.bigint();
  do {
    for (const batch of batches) {
      const encodings = await encode(batch);
      ++batchCount;
      for (const e of encodings) {
        if (flags.readback) {
          tokens += e.getIds().length;
          e.getTypeIds();
          e.getAttentionMask();
        } else {
          tokens += e.getLength();
        }
      }
    }
    texts += inputs.length;
    bytes += passBytes;
    elapsed = Number(process.hrtime.bigint() - start) / 1e9;
  } while (elapsed < flags.seconds);

  const threads = Number(process.env.RAYON_NUM_THREADS || 0);
  console.log(JSON.stringify({ side: 'library', threads, batch_size: flags.batch_size, max_length: flags.max_length,
                               texts, batches: batchCount, padded_tokens: tokens, seconds: Number(elapsed.toFixed(3)),
                               texts_per_s: Number((texts / elapsed).toFixed(1)),
                               mb_per_s: Number((bytes / elapsed / 1e6).toFixed(3)), readback: flags.readback,
                               per_input: flags.per_input }));
}

main().catch((e) => { console.error(`library_throughput: ${e.message || e}`); process.exit(1); });
