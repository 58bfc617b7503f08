// Data-parallel loops over independent items (documents to tokenize, examples to featurize) with
// results identical to the serial loop: body(i) writes only the i-th result, and the exception that
// escapes is the one the serial loop would have thrown first.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>

namespace jpqd {

// `requested` threads when positive, else one per hardware thread (at least 1).
int worker_threads(int64_t requested);

// Calls body(i) for every i in [0, n) on up to `threads` worker threads (`threads` <= 1, or n <= 1:
// on the calling thread, in order). Items are handed out in small chunks in increasing order, so
// uneven items balance. progress(k), when given, is called on the calling thread only, each time
// k more items are done, so a ProgressBar needs no lock. After the first failure no new chunk is
// started; every item before it still runs, and the exception of the lowest failing index is
// rethrown once all workers have stopped.
void parallel_for(size_t n, int threads, const std::function<void(size_t)>& body,
                  const std::function<void(size_t)>& progress = {});

}  // namespace jpqd
