// Seeds of the tokenizer pipeline targets (fuzz/make_tokenizer_seeds.sh runs this): small tokenizers
// built and saved by Hugging Face tokenizers itself (tools/tokenizers_oracle/node_modules), one per
// family of components, so the fuzzer starts from files the real library writes, not from jpqd's idea
// of them; then hostile variants of those files, edited as JSON.
//   node make_tokenizer_seeds.js <corpus dir> <xlmr tokenizer.json or ""> <charsmap base64 or "">
'use strict';
const fs = require('fs');
const path = require('path');
const tk = require(path.join(__dirname, '..', 'tools', 'tokenizers_oracle', 'node_modules', '@anush008/tokenizers'));

const [corpus, xlmrJson, charsmapBase64] = process.argv.slice(2);
const jsonDir = path.join(corpus, 'tokenizer_json');
const filesDir = path.join(corpus, 'bpe_files');
fs.mkdirSync(jsonDir, { recursive: true });
fs.mkdirSync(filesDir, { recursive: true });

const scratch = fs.mkdtempSync('/tmp/jpqd-seeds-');
// The library writes files only; read each back as an object to edit or to store compactly.
function saved(tokenizer) {
  const file = path.join(scratch, 'tokenizer.json');
  tokenizer.save(file);
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}
const put = (name, obj) => fs.writeFileSync(path.join(jsonDir, name), typeof obj === 'string' ? obj : JSON.stringify(obj));
const special = (content, options) => new tk.AddedToken(content, true, { normalized: false, ...options });
const words = ['the', 'quick', 'brown', 'fox', 'jump', 'over', 'lazy', 'dog', 'new', 'york', 'ice', 'cream', 'cafe',
  'hello', 'world', 'it', 'don', 'we', 'they', 'tab', 'line'];
const letters = 'abcdefghijklmnopqrstuvwxyz1.,!\'-'.split('');

// BERT: WordPiece over a few words and their pieces (`chars` alone and as continuations).
function wordpiece(chars) {
  const vocab = {};
  for (const t of ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]', ...words, ...chars, ...chars.map((c) => '##' + c), '##ing', '##ly']) {
    if (!(t in vocab)) vocab[t] = Object.keys(vocab).length;
  }
  const t = new tk.Tokenizer(tk.WordPiece.init(vocab, { unkToken: '[UNK]', maxInputCharsPerWord: 20 }));
  t.setNormalizer(tk.bertNormalizer({ lowercase: true }));
  t.setPreTokenizer(tk.bertPreTokenizer());
  t.addAddedTokens(['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'].map((s) => special(s)));
  t.setPostProcessor(tk.bertProcessing(['[SEP]', 3], ['[CLS]', 2]));
  t.setTruncation(12, { strategy: 'LongestFirst' });
  t.setPadding({ maxLength: 16, padId: 0, padToken: '[PAD]' });
  return saved(t);
}

// GPT-2 / RoBERTa: byte-level BPE over the 256 byte characters (or, for the small hostile seeds,
// those the merges use) and a few merges.
function byteLevelParts(full) {
  const alphabet = full ? tk.byteLevelAlphabet().sort() : [...new Set('Ġthewordlcafiné\'sÃ©'.split(''))];
  const vocab = {};
  for (const t of ['<s>', '<pad>', '</s>', '<unk>', ...alphabet]) vocab[t] = Object.keys(vocab).length;
  const merges = [['Ġ', 't'], ['h', 'e'], ['Ġt', 'he'], ['o', 'r'], ['Ġ', 'w'], ['Ġw', 'or'], ['l', 'd'],
    ['Ġwor', 'ld'], ['i', 'n'], ['Ġ', 'c'], ['a', 'f'], ['Ġc', 'af'], ['Ã', '©'], ['Ġcaf', 'Ã©'], ["'", 's'], ['Ġ', 'Ġ']];
  for (const [a, b] of merges) if (!(a + b in vocab)) vocab[a + b] = Object.keys(vocab).length;
  vocab['<mask>'] = Object.keys(vocab).length;
  return { vocab, merges };
}

function roberta() {
  const { vocab, merges } = byteLevelParts(true);
  const t = new tk.Tokenizer(tk.BPE.init(vocab, merges));
  t.setPreTokenizer(tk.byteLevelPreTokenizer(false, true));
  t.addAddedTokens([special('<s>'), special('<pad>'), special('</s>'), special('<unk>'), special('<mask>', { leftStrip: true })]);
  t.setPostProcessor(tk.robertaProcessing(['</s>', 2], ['<s>', 0], true, false));
  return saved(t);
}

// BPE with the word-level options: prefix/suffix, unk fused, byte fallback, a normalizer and
// pre-tokenizer sequence.
function bpeOptions(options) {
  const vocab = { '<unk>': 0, '[PAD]': 1 };
  for (let b = 0; b < 256; b += 17) vocab[`<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`] = Object.keys(vocab).length;
  for (const c of letters) vocab[c] = Object.keys(vocab).length;
  const merges = [];
  const add = (a, b) => {
    const m = a + b.slice((options.continuingSubwordPrefix || '').length);
    if (!(m in vocab)) vocab[m] = Object.keys(vocab).length;
    merges.push([a, b]);
  };
  const p = options.continuingSubwordPrefix || '';
  for (const c of letters) if (p && !(p + c in vocab)) vocab[p + c] = Object.keys(vocab).length;
  add('t', p + 'h');
  add('th', p + 'e');
  add('d', p + 'o');
  add('do', p + 'g');
  const t = new tk.Tokenizer(tk.BPE.init(vocab, merges, { unkToken: '<unk>', ...options }));
  t.setNormalizer(tk.sequenceNormalizer([tk.nfdNormalizer(), tk.stripAccentsNormalizer(), tk.lowercase()]));
  t.setPreTokenizer(tk.sequencePreTokenizer([tk.whitespacePreTokenizer(), tk.digitsPreTokenizer(true),
    tk.punctuationPreTokenizer('isolated')]));
  t.addAddedTokens([special('[PAD]')]);
  t.setPadding({ padToMultipleOf: 8, padId: 1, padToken: '[PAD]', direction: 'left' });
  return saved(t);
}

// WordLevel with every added-token flag and a template.
function wordlevel() {
  const vocab = { '[UNK]': 0, '[PAD]': 1, '[CLS]': 2, '[SEP]': 3 };
  for (const w of words) vocab[w] = Object.keys(vocab).length;
  const t = new tk.Tokenizer(tk.WordLevel.init(vocab, { unkToken: '[UNK]' }));
  t.setNormalizer(tk.sequenceNormalizer([tk.nfkcNormalizer(), tk.lowercase(), tk.stripNormalizer(true, true)]));
  t.setPreTokenizer(tk.whitespaceSplitPreTokenizer());
  t.addAddedTokens([special('[PAD]'), special('[UNK]'), special('[CLS]'), special('[SEP]'),
    special('[MASK]', { leftStrip: true, rightStrip: true }), new tk.AddedToken('New York', false, { singleWord: true }),
    new tk.AddedToken('ice cream', false, { normalized: true }), new tk.AddedToken('<ent>', false, { leftStrip: true, normalized: false })]);
  t.setPostProcessor(tk.templateProcessing('[CLS]:0 $A:0 [SEP]:0', '[CLS]:0 $A:0 [SEP]:0 $B:1 [SEP]:1', [['[CLS]', 2], ['[SEP]', 3]]));
  t.setTruncation(10, { strategy: 'OnlySecond', direction: 'left' });
  return saved(t);
}

// Unigram with Metaspace, Replace, NFKC and (when given) a small Precompiled charsmap.
function unigram(byteFallback, chars) {
  const pieces = [['<unk>', 0], ['<s>', 0], ['</s>', 0], ['▁', -2], ['▁the', -3], ['▁qu', -5], ['ick', -5], ['e', -4],
    ['▁', -2.5], ...chars.map((c, i) => [c, -6 - i / 10]), ['▁caf', -7], ['é', -8], ['▁new', -6]];
  if (byteFallback) for (let b = 0; b < 256; ++b) pieces.push([`<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`, 0]);
  const t = new tk.Tokenizer(tk.Unigram.init(pieces, { unkId: 0, byteFallback }));
  const normalizers = [tk.replace('``', '"'), tk.nfkcNormalizer()];
  if (charsmapBase64) normalizers.unshift(tk.precompiled([...Buffer.from(charsmapBase64, 'base64')]));
  t.setNormalizer(tk.sequenceNormalizer(normalizers));
  t.setPreTokenizer(tk.metaspacePreTokenizer('▁', 'first', true));
  t.addAddedTokens([special('<s>'), special('</s>'), special('<unk>')]);
  t.setPostProcessor(tk.templateProcessing('<s> $A </s>', '<s> $A </s> </s> $B </s>', [['<s>', 1], ['</s>', 2]]));
  return saved(t);
}

// The remaining components: CharDelimiterSplit, Split, Prepend, NFC/NFKD, Sequence and ByteLevel
// post-processors.
function misc() {
  const vocab = { '[UNK]': 0 };
  for (const w of [...words, ...letters, '_the', '_']) if (!(w in vocab)) vocab[w] = Object.keys(vocab).length;
  const t = new tk.Tokenizer(tk.WordLevel.init(vocab, { unkToken: '[UNK]' }));
  t.setNormalizer(tk.sequenceNormalizer([tk.nfcNormalizer(), tk.nfkdNormalizer(), tk.prependNormalizer('_')]));
  t.setPreTokenizer(tk.sequencePreTokenizer([tk.charDelimiterSplit('x'), tk.splitPreTokenizer(' ', 'mergedWithNext', false),
    tk.splitPreTokenizer('-', 'contiguous', true)]));
  t.setPostProcessor(tk.sequenceProcessing([tk.byteLevelProcessing(true), tk.templateProcessing('$A [UNK]', '$A $B:1', [['[UNK]', 0]])]));
  return saved(t);
}

const seeds = {
  wordpiece: wordpiece(letters),
  wordpiece_small: wordpiece(['a', 'b']),
  roberta: roberta(),
  bpe_prefix_suffix: bpeOptions({ continuingSubwordPrefix: '##', endOfWordSuffix: '</w>', fuseUnk: true }),
  bpe_byte_fallback: bpeOptions({ byteFallback: true }),
  wordlevel: wordlevel(),
  unigram: unigram(false, letters),
  unigram_small: unigram(false, ['a', 'b']),
  unigram_byte_fallback: unigram(true, letters),
  misc: misc(),
};
if (xlmrJson) seeds.xlmr = JSON.parse(fs.readFileSync(xlmrJson, 'utf8'));
for (const [name, obj] of Object.entries(seeds)) put(name, obj);

// Hostile edits of valid files: each must be refused with a jpqd error or encode without harm.
const edit = (base, change) => { const o = JSON.parse(JSON.stringify(seeds[base])); change(o); return o; };
const hostile = {
  id_2_31: edit('wordpiece_small', (o) => { o.model.vocab.huge = 2 ** 31 - 1; }),
  id_negative: edit('wordpiece_small', (o) => { o.model.vocab.neg = -1; }),
  id_duplicate: edit('wordpiece_small', (o) => { o.model.vocab.dup = 3; }),
  id_float: edit('wordpiece_small', (o) => { o.model.vocab.f = 1.5; }),
  added_id_negative: edit('wordpiece_small', (o) => { o.added_tokens[0].id = -5; }),
  added_content_empty: edit('wordlevel', (o) => { o.added_tokens[5].content = ''; }),
  padding_fixed_string: edit('wordpiece_small', (o) => { o.padding.strategy = { Fixed: 'x' }; }),
  padding_fixed_negative: edit('wordpiece_small', (o) => { o.padding.strategy = { Fixed: -1 }; }),
  padding_fixed_huge: edit('wordpiece_small', (o) => { o.padding.strategy = { Fixed: 1e15 }; }),
  padding_multiple_huge: edit('bpe_byte_fallback', (o) => { o.padding.pad_to_multiple_of = 2 ** 62; }),
  padding_not_object: edit('wordpiece_small', (o) => { o.padding = 7; }),
  truncation_negative: edit('wordpiece_small', (o) => { o.truncation.max_length = -1; }),
  truncation_stride: edit('wordpiece_small', (o) => { o.truncation.stride = 2; }),
  truncation_not_object: edit('wordpiece_small', (o) => { o.truncation = [1]; }),
  merge_unknown_token: edit('bpe_prefix_suffix', (o) => { o.model.merges.push('zz qq'); }),
  merge_three_tokens: edit('bpe_prefix_suffix', (o) => { o.model.merges.push('a b c'); }),
  merge_pair_numbers: edit('bpe_prefix_suffix', (o) => { o.model.merges.push([1, 2]); }),
  unk_not_in_vocab: edit('bpe_prefix_suffix', (o) => { o.model.unk_token = 'missing'; }),
  unigram_unk_out_of_range: edit('unigram_small', (o) => { o.model.unk_id = 1e6; }),
  unigram_no_unk: edit('unigram_small', (o) => { o.model.unk_id = null; }),
  unigram_empty: edit('unigram_small', (o) => { o.model.vocab = []; }),
  unigram_score_huge: edit('unigram_small', (o) => { o.model.vocab[3][1] = -1.7e308; }),
  template_unknown_special: edit('wordlevel', (o) => { o.post_processor.single[0].SpecialToken.id = 'nope'; }),
  template_id_string: edit('wordlevel', (o) => { o.post_processor.special_tokens['[CLS]'].ids = ['x']; }),
  template_id_negative: edit('wordlevel', (o) => { o.post_processor.special_tokens['[CLS]'].ids = [-3]; }),
  template_piece_string: edit('wordlevel', (o) => { o.post_processor.single[0] = { SpecialToken: 'x' }; }),
  template_a_twice: edit('wordlevel', (o) => { o.post_processor.single.push({ Sequence: { id: 'A', type_id: 0 } }); }),
  bert_sep_negative: edit('wordpiece_small', (o) => { o.post_processor.sep[1] = -1; }),
  regex_unsupported: edit('misc', (o) => { o.pre_tokenizer.pretokenizers[1].pattern = { Regex: '(a|b)*c' }; }),
  regex_repeat_zero: edit('misc', (o) => { o.pre_tokenizer.pretokenizers[1].pattern = { Regex: 'a{0,}' }; }),
  literal_empty: edit('misc', (o) => { o.pre_tokenizer.pretokenizers[1].pattern = { String: '' }; }),
  delimiter_two_chars: edit('misc', (o) => { o.pre_tokenizer.pretokenizers[0].delimiter = 'xy'; }),
  metaspace_empty: edit('unigram_small', (o) => { o.pre_tokenizer.replacement = ''; }),
  unknown_normalizer: edit('wordpiece_small', (o) => { o.normalizer = { type: 'Bogus' }; }),
  unknown_model: edit('wordpiece_small', (o) => { o.model.type = 'Magic'; }),
  model_type_number: edit('wordpiece_small', (o) => { o.model.type = 5; }),
  model_untyped_bpe: edit('roberta', (o) => { delete o.model.type; }),
  model_untyped_unigram: edit('unigram_small', (o) => { delete o.model.type; }),
  wordpiece_max_chars_zero: edit('wordpiece_small', (o) => { o.model.max_input_chars_per_word = 0; }),
  wordpiece_max_chars_huge: edit('wordpiece_small', (o) => { o.model.max_input_chars_per_word = 9e18; }),
};
if (charsmapBase64) {
  hostile.charsmap_bad_base64 = edit('unigram_small', (o) => { o.normalizer.normalizers[0].precompiled_charsmap = 'AAA*'; });
  hostile.charsmap_truncated = edit('unigram_small', (o) => { o.normalizer.normalizers[0].precompiled_charsmap = 'QAAAAAEC'; });
  hostile.charsmap_trie_too_big = edit('unigram_small', (o) => {
    const blob = Buffer.from(charsmapBase64, 'base64');
    blob.writeUInt32LE(blob.length * 2, 0);
    o.normalizer.normalizers[0].precompiled_charsmap = blob.toString('base64');
  });
}
for (const [name, obj] of Object.entries(hostile)) put(name, obj);
put('empty', '');
put('not_object', '[1, 2]');
put('no_model', '{"version": "1.0"}');
put('deep', '{"model":' + '['.repeat(300) + ']'.repeat(300) + '}');
put('number_1e400', '{"model": {"type": "WordLevel", "vocab": {"a": 1e400}, "unk_token": "a"}}');
put('invalid_utf8', Buffer.concat([Buffer.from('{"model": {"type": "WordLevel", "vocab": {"'), Buffer.from([0xc0, 0xaf]),
  Buffer.from('": 0}, "unk_token": "a"}}')]));
put('bom', '\ufeff' + JSON.stringify(seeds.misc));

// vocab.json NUL merges.txt [NUL tokenizer_config.json], as bpe_files_fuzzer.cc splits its input.
const { vocab, merges } = byteLevelParts(true);
const small = byteLevelParts(false);
const mergesTxt = '#version: 0.2\n' + merges.map(([a, b]) => `${a} ${b}`).join('\n') + '\n';
const putFiles = (name, v, m, config) => fs.writeFileSync(path.join(filesDir, name),
  Buffer.concat([Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)), Buffer.from([0]), Buffer.from(m),
    ...(config === undefined ? [] : [Buffer.from([0]), Buffer.from(config)])]));
putFiles('roberta', vocab, mergesTxt);
putFiles('roberta_config', vocab, mergesTxt, JSON.stringify({ add_prefix_space: true, model_max_length: 512, mask_token: { content: '<mask>' }, pad_token: '<pad>' }));
putFiles('config_other_specials', { ...vocab, '[X]': 9999 }, mergesTxt, JSON.stringify({ cls_token: '[X]', unk_token: '</s>' }));
putFiles('crlf', small.vocab, mergesTxt.replace(/\n/g, '\r\n'));
putFiles('no_header', small.vocab, mergesTxt.slice(mergesTxt.indexOf('\n') + 1));
putFiles('no_final_newline', small.vocab, mergesTxt.trimEnd());
putFiles('merge_one_token', small.vocab, mergesTxt + 'abc\n');
putFiles('merge_unknown', small.vocab, mergesTxt + 'zz qq\n');
putFiles('merge_double_space', small.vocab, mergesTxt + 'a  b\n');
putFiles('no_mask', Object.fromEntries(Object.entries(small.vocab).filter(([k]) => k !== '<mask>')), mergesTxt);
putFiles('id_huge', { ...small.vocab, huge: 2 ** 31 - 1 }, mergesTxt);
putFiles('id_negative', { ...small.vocab, neg: -7 }, mergesTxt);
putFiles('id_string', { ...small.vocab, s: '3' }, mergesTxt);
putFiles('vocab_array', '[1,2,3]', mergesTxt);
putFiles('vocab_invalid', '{"a": ', mergesTxt);
putFiles('empty_merges', small.vocab, '');
putFiles('config_bad', small.vocab, mergesTxt, '{"pad_token": 5, "add_prefix_space": "yes"}');
putFiles('config_max_huge', small.vocab, mergesTxt, '{"model_max_length": 1e300}');
fs.rmSync(scratch, { recursive: true });
