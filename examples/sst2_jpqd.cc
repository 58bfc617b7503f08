// JPQD from C++, the way Optimum Intel's Python example does it:
//
//   ov_config = OVConfig.from_json_file("bert-base-jpqd.json")
//   trainer = OVTrainer(model=model, teacher_model=teacher, args=OVTrainingArguments(...), train_dataset=...,
//                       eval_dataset=..., compute_metrics=..., tokenizer=tokenizer, ov_config=ov_config, task="text-classification")
//   trainer.train(); trainer.evaluate(); trainer.save_model()
//
// Usage: jpqd_example_sst2_jpqd <student dir or shape> <teacher dir> <compression config> <output dir>
#include <cstdio>

#include "common/error.h"
#include "compression/config/compression_config.h"
#include "model/hf_checkpoint.h"
#include "text/bert_tokenizer.h"
#include "training/tasks/glue_task.h"
#include "training/trainer.h"

int main(int argc, char** argv) {
  if (argc != 5) {
    std::fprintf(stderr, "usage: %s <student checkpoint dir> <teacher checkpoint dir> <compression config> <output dir>\n",
                 argv[0]);
    return 2;
  }
  using namespace jpqd;
  try {
    const auto config = compression::CompressionConfig::from_file(argv[3]);
    const auto tokenizer = text::BertTokenizer::from_directory(argv[1]);
    training::GlueDataOptions data_options;
    data_options.task_name = "sst2";
    const auto data = training::build_glue_datasets(tokenizer, data_options, JPQD_DATA_DIR, {true, true, false});
    auto model = model::load_pretrained(argv[1], model::TaskHead::kSequenceClassification, 2);
    auto teacher = model::load_pretrained(argv[2], model::TaskHead::kSequenceClassification, 2);

    training::TrainingArguments args;  // Hugging Face's TrainingArguments + OVTrainingArguments
    args.output_dir = argv[4];
    args.do_train = args.do_eval = true;
    args.per_device_train_batch_size = 32;
    args.learning_rate = 2e-5;
    args.num_train_epochs = 5;
    args.distillation_weight = 0.9;
    args.distillation_temperature = 2.0;

    training::Trainer trainer(model, args, data.train, data.eval.front().dataset, training::glue_compute_metrics(data),
                              tokenizer, config, teacher);
    trainer.train();
    const Json metrics = trainer.evaluate();
    trainer.save_model();
    std::printf("%s\n", metrics.dump(2).c_str());
  } catch (const jpqd::Error& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return static_cast<int>(e.exit_code());
  }
  return 0;
}
