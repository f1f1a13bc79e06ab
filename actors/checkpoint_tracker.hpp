// The consumer side of a durable subscription: which delivered events are still being handled,
// and so how far the consumer's checkpoint may move. Plain state, no actor: each subscribing
// actor keeps one and stores what it says (with its effects, or on its own).
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>

#include "domain/event.hpp"

namespace cf {

class checkpoint_tracker {
public:
  explicit checkpoint_tracker(std::string consumer) : consumer_(std::move(consumer)) {}

  const std::string& consumer() const { return consumer_; }

  /// Called for each delivered event before handling it. False when there is nothing to do: it
  /// was delivered before and is finished, or is being handled right now. True for a new event
  /// and for one whose handling failed (see retry): handle it (again).
  bool begin(int64_t seq);

  /// The checkpoint once `seq` is finished: store it in the transaction of `seq`'s effects.
  checkpoint after(int64_t seq) const;

  /// `seq` is handled: its effect committed, or it needed none, or another path did it.
  void finish(int64_t seq);

  /// Handling `seq` failed for a passing reason: it stays open (the checkpoint stops before it)
  /// and the next begin(seq) lets it be handled again.
  void retry(int64_t seq);

  /// The checkpoint to store on its own when it moved past the stored one (events finished
  /// without an effect of their own), else nothing.
  std::optional<checkpoint> unsaved() const;

  /// A checkpoint up to `seq` is stored.
  void saved(int64_t seq);

  /// Events delivered and not yet finished.
  size_t open() const { return open_.size(); }

private:
  int64_t watermark_without(int64_t seq) const;

  std::string consumer_;
  std::set<int64_t> open_;   // delivered, not finished
  std::set<int64_t> failed_; // open, and free to be handled again
  int64_t delivered_ = 0;    // highest seq delivered
  int64_t saved_ = 0;        // highest checkpoint known stored
};

} // namespace cf
