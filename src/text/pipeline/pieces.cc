#include "text/pipeline/pieces.h"

#include <algorithm>

#include "common/error.h"

namespace jpqd::text::pipeline {

std::string to_utf8(const TrackedText& text) {
  std::string out;
  out.reserve(text.size());
  for (const TrackedChar& c : text) append_utf8(out, c.cp);
  return out;
}

std::pair<int64_t, int64_t> original_range(const TrackedText& text, size_t first, size_t last, int64_t where) {
  if (first >= last) return {where, where};
  int64_t begin = text[first].begin;
  int64_t end = text[first].end;
  for (size_t i = first + 1; i < last; ++i) {
    begin = std::min(begin, text[i].begin);
    end = std::max(end, text[i].end);
  }
  return {begin, end};
}

SplitBehavior parse_split_behavior(const std::string& name, const std::string& where) {
  if (name == "Removed") return SplitBehavior::kRemoved;
  if (name == "Isolated") return SplitBehavior::kIsolated;
  if (name == "MergedWithPrevious") return SplitBehavior::kMergedWithPrevious;
  if (name == "MergedWithNext") return SplitBehavior::kMergedWithNext;
  if (name == "Contiguous") return SplitBehavior::kContiguous;
  throw InvalidArgument(str_cat(where, ": unknown split behavior \"", name,
                                "\" (known: Removed, Isolated, MergedWithPrevious, MergedWithNext, Contiguous)"));
}

namespace {

struct Range {
  size_t first;
  size_t last;
  bool removed;
};

// The merging rules of each behavior follow tokenizers' NormalizedString::split: a match joins its
// neighbour only when the run before it (or after it) was not a match itself.
std::vector<Range> ranges_for(const std::vector<MatchRun>& runs, SplitBehavior behavior) {
  std::vector<Range> out;
  switch (behavior) {
    case SplitBehavior::kRemoved:
      for (const MatchRun& r : runs) out.push_back({r.first, r.last, r.is_match});
      break;
    case SplitBehavior::kIsolated:
      for (const MatchRun& r : runs) out.push_back({r.first, r.last, false});
      break;
    case SplitBehavior::kContiguous: {
      bool previous_match = false;
      for (const MatchRun& r : runs) {
        if (r.is_match == previous_match && !out.empty()) {
          out.back().last = r.last;
        } else {
          out.push_back({r.first, r.last, false});
        }
        previous_match = r.is_match;
      }
      break;
    }
    case SplitBehavior::kMergedWithPrevious: {
      bool previous_match = false;
      for (const MatchRun& r : runs) {
        if (r.is_match && !previous_match && !out.empty()) {
          out.back().last = r.last;
        } else {
          out.push_back({r.first, r.last, false});
        }
        previous_match = r.is_match;
      }
      break;
    }
    case SplitBehavior::kMergedWithNext: {
      bool previous_match = false;
      for (auto r = runs.rbegin(); r != runs.rend(); ++r) {
        if (r->is_match && !previous_match && !out.empty()) {
          out.back().first = r->first;
        } else {
          out.push_back({r->first, r->last, false});
        }
        previous_match = r->is_match;
      }
      std::reverse(out.begin(), out.end());
      break;
    }
  }
  return out;
}

}  // namespace

std::vector<TrackedText> split_by_runs(const TrackedText& text, const std::vector<MatchRun>& runs,
                                       SplitBehavior behavior) {
  std::vector<TrackedText> pieces;
  for (const Range& r : ranges_for(runs, behavior)) {
    if (r.removed || r.first >= r.last) continue;
    pieces.emplace_back(text.begin() + static_cast<std::ptrdiff_t>(r.first),
                        text.begin() + static_cast<std::ptrdiff_t>(r.last));
  }
  return pieces;
}

}  // namespace jpqd::text::pipeline
