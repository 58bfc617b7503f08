#!/usr/bin/env node
// Runs an ONNX model with ONNX Runtime (onnxruntime-node) for jpqd's parity tests and peer benchmarks.
//
// Inference:  node run_model.js --model m.onnx --input in.json --output out.json [--threads N] [--opt all]
//   in.json is either one batch {"input_ids": [[..]], "attention_mask": [[..]], "token_type_ids": [[..]]}
//   (rectangular integer arrays become int64 tensors, anything else float32) or {"batches": [batch, ...]},
//   so a whole dev set of varying lengths runs in one session. out.json mirrors it:
//   {"outputs": {"logits": {"dims": [..], "data": [..]}}} or {"batches": [{"outputs": ...}, ...]}.
//   Floats are written with JavaScript's shortest round-trip form, so float32 values survive exactly.
// Benchmark:  node run_model.js --model m.onnx --benchmark [--batch 1] [--seq_len 128] [--warmup 10]
//             [--iterations N | --time T] [--threads N] [--opt all] [--vocab 1000]
//   prints one JSON object: latency in milliseconds (median, avg, min, max, p90, p99) and sequences/s.
'use strict';

const fs = require('fs');
const path = require('path');

function fail(message) {
  process.stderr.write(`run_model.js: ${message}\n`);
  process.exit(2);
}

let ort;
try {
  ort = require(path.join(__dirname, 'node_modules', 'onnxruntime-node'));
} catch (e) {
  fail(`onnxruntime-node is not installed under ${__dirname}/node_modules ` +
       `(run: npm install --ignore-scripts in tools/onnxruntime): ${e.message}`);
}

const kFlags = {
  model: 'string', input: 'string', output: 'string', threads: 'int', opt: 'string', benchmark: 'bool',
  batch: 'int', seq_len: 'int', warmup: 'int', iterations: 'int', time: 'float', vocab: 'int',
};

function parseArgs(argv) {
  const args = {threads: 1, opt: 'all', benchmark: false, batch: 1, seq_len: 128, warmup: 10, vocab: 1000};
  for (let i = 0; i < argv.length; ++i) {
    const m = /^--([a-z_-]+)$/.exec(argv[i]);
    if (!m) fail(`unexpected argument "${argv[i]}"`);
    const key = m[1].replace(/-/g, '_');
    const type = kFlags[key];
    if (!type) fail(`unknown flag --${m[1]}`);
    if (type === 'bool') { args[key] = true; continue; }
    if (i + 1 >= argv.length) fail(`--${m[1]} needs a value`);
    const value = argv[++i];
    if (type === 'string') { args[key] = value; continue; }
    const n = Number(value);
    if (!Number.isFinite(n) || n <= 0 || (type === 'int' && !Number.isInteger(n))) {
      fail(`--${m[1]} must be a positive ${type === 'int' ? 'integer' : 'number'}, got "${value}"`);
    }
    args[key] = n;
  }
  if (!args.model) fail('--model is required');
  if (!['disabled', 'basic', 'extended', 'all'].includes(args.opt)) fail(`--opt must be disabled|basic|extended|all`);
  if (!args.benchmark && (!args.input || !args.output)) fail('--input and --output are required (or --benchmark)');
  return args;
}

// Nested rectangular arrays -> ort.Tensor (int64 when every value is an integer, else float32).
function toTensor(name, nested) {
  const dims = [];
  for (let level = nested; Array.isArray(level); level = level[0]) dims.push(level.length);
  const flat = dims.length > 1 ? nested.flat(dims.length - 1) : (Array.isArray(nested) ? nested : [nested]);
  const expected = dims.reduce((a, b) => a * b, 1);
  if (flat.length !== expected || flat.some((v) => typeof v !== 'number')) {
    fail(`input "${name}" is not a rectangular numeric array of shape [${dims}]`);
  }
  if (flat.every(Number.isInteger)) return new ort.Tensor('int64', BigInt64Array.from(flat, BigInt), dims);
  return new ort.Tensor('float32', Float32Array.from(flat), dims);
}

function fromTensor(tensor) {
  const data = tensor.type === 'int64' ? Array.from(tensor.data, Number) : Array.from(tensor.data);
  return {dims: tensor.dims, type: tensor.type, data};
}

async function runBatch(session, batch) {
  const feeds = {};
  for (const name of session.inputNames) {
    if (!(name in batch)) fail(`input file has no "${name}" (model inputs: ${session.inputNames.join(', ')})`);
    feeds[name] = toTensor(name, batch[name]);
  }
  const results = await session.run(feeds);
  const outputs = {};
  for (const name of session.outputNames) outputs[name] = fromTensor(results[name]);
  return {outputs};
}

function percentile(sorted, p) {
  // Nearest-rank on the sorted latencies, as benchmark_app reports them.
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank];
}

async function benchmark(session, args) {
  const n = args.batch * args.seq_len;
  const ids = new BigInt64Array(n);
  // A fixed pseudo-random sequence: ids do not change the work done, only the values.
  let state = 12345;
  for (let i = 0; i < n; ++i) {
    state = (state * 1103515245 + 12345) % 2147483648;
    ids[i] = BigInt(1 + (state % (args.vocab - 1)));
  }
  const dims = [args.batch, args.seq_len];
  const feeds = {
    input_ids: new ort.Tensor('int64', ids, dims),
    attention_mask: new ort.Tensor('int64', new BigInt64Array(n).fill(1n), dims),
    token_type_ids: new ort.Tensor('int64', new BigInt64Array(n), dims),
  };
  for (const name of session.inputNames) if (!(name in feeds)) fail(`benchmark does not know input "${name}"`);
  for (let i = 0; i < args.warmup; ++i) await session.run(feeds);
  const latencies = [];
  const start = process.hrtime.bigint();
  const elapsed = () => Number(process.hrtime.bigint() - start) / 1e9;
  const iterations = args.iterations || (args.time ? Infinity : 100);
  while (latencies.length < iterations && !(args.time && elapsed() >= args.time && !args.iterations)) {
    const t0 = process.hrtime.bigint();
    await session.run(feeds);
    latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  const duration = elapsed();
  const sorted = [...latencies].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return {
    engine: `onnxruntime-node ${require(path.join(__dirname, 'node_modules', 'onnxruntime-node', 'package.json')).version}`,
    model: args.model, threads: args.threads, graph_optimization: args.opt, batch: args.batch,
    seq_len: args.seq_len, warmup: args.warmup, count: latencies.length, duration_s: duration,
    latency_ms: {
      median: sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2,
      avg: latencies.reduce((a, b) => a + b, 0) / latencies.length,
      min: sorted[0], max: sorted[sorted.length - 1],
      p90: percentile(sorted, 90), p99: percentile(sorted, 99),
    },
    sequences_per_s: (latencies.length * args.batch) / duration,
  };
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  if (!fs.existsSync(args.model)) fail(`model file "${args.model}" does not exist`);
  const session = await ort.InferenceSession.create(args.model, {
    intraOpNumThreads: args.threads, interOpNumThreads: 1, executionMode: 'sequential',
    graphOptimizationLevel: args.opt,
  });
  if (args.benchmark) {
    process.stdout.write(JSON.stringify(await benchmark(session, args)) + '\n');
    return;
  }
  let input;
  try {
    input = JSON.parse(fs.readFileSync(args.input, 'utf8'));
  } catch (e) {
    fail(`cannot read input "${args.input}": ${e.message}`);
  }
  let result;
  if (Array.isArray(input.batches)) {
    result = {batches: []};
    for (const batch of input.batches) result.batches.push(await runBatch(session, batch));
  } else {
    result = await runBatch(session, input);
  }
  const tmp = `${args.output}.tmp${process.pid}`;
  fs.writeFileSync(tmp, JSON.stringify(result));
  fs.renameSync(tmp, args.output);
}

main().catch((e) => fail(e && e.stack ? e.stack : String(e)));
