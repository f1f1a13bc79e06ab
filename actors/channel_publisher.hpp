// ChannelPublisher: Distribution's helper for one attempt. Channels block (files, network), so
// each attempt runs them, one after another, on a thread of its own (a detached actor that
// answers once and quits).
#pragma once

#include <caf/typed_actor.hpp>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "actors/type_ids.hpp"
#include "channels/channel.hpp"

namespace cf {

/// What one channel did in one attempt.
struct channel_outcome {
  std::string channel;
  bool ok = false;
  bool permanent = false; ///< A failure retrying will not help.
  std::string url;
  std::string detail; ///< The result's detail, or the error.
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, channel_outcome& x) {
  return f(caf::meta::type_name("cf.channel_outcome"), x.channel, x.ok, x.permanent, x.url,
           x.detail);
}

using channel_publisher_actor =
    caf::typed_actor<caf::replies_to<publish_atom, published_course,
                                     std::vector<std::string>>::with<std::vector<channel_outcome>>>;

/// The behaviour: publishes the course to each named channel of `chans` (a name not there fails
/// for good), answers the outcomes in that order, and quits. Spawn it detached.
channel_publisher_actor::behavior_type channel_publisher(
    channel_publisher_actor::pointer self, std::map<std::string, std::shared_ptr<channel>> chans);

} // namespace cf
