// ChannelPublisher behaviour: the channels one after another; an exception is a transient failure.
#include "actors/channel_publisher.hpp"

#include <caf/typed_event_based_actor.hpp>

#include "util/errc.hpp"

namespace cf {

channel_publisher_actor::behavior_type channel_publisher(
    channel_publisher_actor::pointer self, std::map<std::string, std::shared_ptr<channel>> chans) {
  return {
      [=](publish_atom, const published_course& c, const std::vector<std::string>& names) {
        self->quit();
        std::vector<channel_outcome> out;
        for (const auto& name : names) {
          channel_outcome o;
          o.channel = name;
          auto i = chans.find(name);
          if (i == chans.end()) {
            o.permanent = true;
            o.detail = "channel not configured";
          } else {
            caf::expected<channel_result> r = make_error(errc::internal);
            try {
              r = i->second->publish(c);
            } catch (const std::exception& ex) {
              r = make_error(errc::channel_transient, ex.what());
            }
            o.ok = static_cast<bool>(r);
            if (r) {
              o.url = r->url;
              o.detail = r->detail;
            } else {
              o.permanent = !is(r.error(), errc::channel_transient);
              o.detail = error_context(r.error());
            }
          }
          out.push_back(std::move(o));
        }
        return out;
      },
  };
}

} // namespace cf
