#!/usr/bin/env python3
"""The deployed model predicts what training predicted: `jpqd glue --do_predict`'s predictions on SST-2 dev
against `jpqd eval --predictions_file` on the exported model.jpqd (>= 99.5% the same prediction, accuracy within
0.3 points), and the trained model must reach <min accuracy> (a model that answers one class for everything
would agree trivially).

usage: deployed_agreement.py <run dir> <jpqd eval predictions.jsonl> <jpqd eval --output json> <min accuracy>
"""
import json
import sys

out, predictions, deployed_eval, min_accuracy = sys.argv[1:]
trained = [json.loads(line) for line in open(f"{out}/predict_results_sst2.jsonl")]
deployed = [json.loads(line) for line in open(predictions)]
assert len(trained) == len(deployed) == 872, (len(trained), len(deployed))
same = sum(a["prediction"] == b["prediction"] for a, b in zip(trained, deployed)) / len(trained)
acc_trained = json.load(open(f"{out}/eval_results.json"))["eval_accuracy"]
acc_deployed = json.load(open(deployed_eval))["eval_accuracy"]
print(f"same prediction on {same:.4f} of SST-2 dev; accuracy trained {acc_trained:.4f}, deployed {acc_deployed:.4f}")
assert same >= 0.995 and abs(acc_trained - acc_deployed) <= 0.003
assert acc_trained >= float(min_accuracy), f"the trained model reached only {acc_trained:.4f}"
