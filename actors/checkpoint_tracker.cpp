// The watermark of a durable subscriber: every delivered event at or below it is finished.
#include "actors/checkpoint_tracker.hpp"

namespace cf {

bool checkpoint_tracker::begin(int64_t seq) {
  if (seq > delivered_) {
    delivered_ = seq;
    open_.insert(seq);
    return true;
  }
  return failed_.erase(seq) > 0;
}

int64_t checkpoint_tracker::watermark_without(int64_t seq) const {
  for (auto s : open_)
    if (s != seq)
      return s - 1;
  return delivered_;
}

checkpoint checkpoint_tracker::after(int64_t seq) const {
  return {consumer_, watermark_without(seq)};
}

void checkpoint_tracker::finish(int64_t seq) {
  open_.erase(seq);
  failed_.erase(seq);
}

void checkpoint_tracker::retry(int64_t seq) {
  if (open_.count(seq) > 0)
    failed_.insert(seq);
}

std::optional<checkpoint> checkpoint_tracker::unsaved() const {
  auto w = watermark_without(0);
  if (w <= saved_)
    return std::nullopt;
  return checkpoint{consumer_, w};
}

void checkpoint_tracker::saved(int64_t seq) { saved_ = std::max(saved_, seq); }

} // namespace cf
