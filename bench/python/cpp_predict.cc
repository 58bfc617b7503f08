// The C++ side of bench/python/run.sh's overhead measurement: the same call jpqd.Model.predict makes
// (Session::predict, text in, labels out), timed from C++ through the installed-style public API, so that
// the difference to overhead.py's figure is what Python adds per call.
//
//   cpp_predict MODEL.jpqd TEXT THREADS ITERATIONS WARMUP   -> one JSON line of per-call latencies (µs)
#include <jpqd/runtime.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

int main(int argc, char** argv) {
  if (argc != 6) {
    std::fprintf(stderr, "usage: %s MODEL.jpqd TEXT THREADS ITERATIONS WARMUP\n", argv[0]);
    return 2;
  }
  try {
    jpqd::runtime::SessionOptions options;
    options.threads = std::stoi(argv[3]);
    const auto session = jpqd::runtime::Session::open(argv[1], options);
    const std::vector<std::string> texts = {argv[2]};
    const int iterations = std::stoi(argv[4]), warmup = std::stoi(argv[5]);
    for (int i = 0; i < warmup; ++i) session.predict(texts);
    std::vector<double> us;
    us.reserve(static_cast<size_t>(iterations));
    int64_t label_sum = 0;  // used, so that no call can be optimised away
    for (int i = 0; i < iterations; ++i) {
      const auto t0 = std::chrono::steady_clock::now();
      const jpqd::runtime::Predictions p = session.predict(texts);
      const auto t1 = std::chrono::steady_clock::now();
      label_sum += p.labels.empty() ? 0 : p.labels[0];
      us.push_back(std::chrono::duration<double, std::micro>(t1 - t0).count());
    }
    std::sort(us.begin(), us.end());
    double mean = 0;
    for (double v : us) mean += v / static_cast<double>(us.size());
    std::printf("{\"engine\": \"cpp\", \"median_us\": %.3f, \"mean_us\": %.3f, \"p10_us\": %.3f, \"p90_us\": %.3f, "
                "\"iterations\": %d, \"label_sum\": %lld}\n",
                us[us.size() / 2], mean, us[us.size() / 10], us[us.size() * 9 / 10], iterations,
                static_cast<long long>(label_sum));
  } catch (const jpqd::Error& e) {
    std::fprintf(stderr, "cpp_predict: %s\n", e.what());
    return static_cast<int>(e.exit_code());
  }
  return 0;
}
