#!/usr/bin/env node
// ONNX Runtime (onnxruntime-node, tools/onnxruntime) over the exact batches bench/python/throughput.py gave
// jpqd.Model.run: token ids in, logits out, whole passes over the SST-2 dev set until SECONDS have passed.
//
//   node ort_throughput.js MODEL.onnx IDS_JSON THREADS SECONDS   -> one JSON line
'use strict';
const fs = require('fs');
const path = require('path');
const ort = require(path.join(__dirname, '..', '..', 'tools', 'onnxruntime', 'node_modules', 'onnxruntime-node'));

function tensor(rows) {
  const data = BigInt64Array.from(rows.flat(), (v) => BigInt(v));
  return new ort.Tensor('int64', data, [rows.length, rows[0].length]);
}

async function main() {
  const [model, idsPath, threads, seconds] = process.argv.slice(2);
  if (!seconds) {
    process.stderr.write('usage: node ort_throughput.js MODEL.onnx IDS_JSON THREADS SECONDS\n');
    process.exit(2);
  }
  const session = await ort.InferenceSession.create(model, {
    intraOpNumThreads: Number(threads), interOpNumThreads: 1, graphOptimizationLevel: 'all',
    executionMode: 'sequential'});
  const batches = JSON.parse(fs.readFileSync(idsPath, 'utf8')).batches.map((b) => {
    const feeds = {};
    for (const name of session.inputNames) feeds[name] = tensor(b[name]);
    return feeds;
  });
  const sequences = batches.reduce((n, f) => n + Number(f[session.inputNames[0]].dims[0]), 0);
  const pass = async () => { for (const feeds of batches) await session.run(feeds); };
  await pass();  // warm-up
  let passes = 0;
  const start = process.hrtime.bigint();
  for (;;) {
    await pass();
    ++passes;
    const elapsed = Number(process.hrtime.bigint() - start) / 1e9;
    if (elapsed >= Number(seconds)) {
      process.stdout.write(JSON.stringify({engine: 'onnxruntime', threads: Number(threads), sequences,
                                           sequences_per_s: passes * sequences / elapsed}) + '\n');
      return;
    }
  }
}
main().catch((e) => { process.stderr.write(`ort_throughput.js: ${e.message}\n`); process.exit(1); });
