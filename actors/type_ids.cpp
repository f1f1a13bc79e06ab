// Registration of cf message types and the renderer for cf errors.
#include "actors/type_ids.hpp"

#include "actors/course_factory.hpp"
#include "actors/distribution.hpp"
#include "actors/payment.hpp"
#include "channels/channel.hpp"
#include "domain/course_request.hpp"
#include "domain/course_state.hpp"
#include "domain/event.hpp"
#include "domain/log_stats.hpp"
#include "util/errc.hpp"

namespace cf {

void register_types(caf::actor_system_config& cfg) {
  cfg.add_message_type<event>("cf.event"); // also std::vector<cf.event>
  cfg.add_message_type<event_query>("cf.event_query");
  cfg.add_message_type<idempotency_record>("cf.idempotency_record");
  cfg.add_message_type<event_page>("cf.event_page");
  cfg.add_message_type<checkpoint>("cf.checkpoint"); // also std::vector<cf.checkpoint>
  cfg.add_message_type<status_count>("cf.status_count");
  cfg.add_message_type<consumer_lag>("cf.consumer_lag");
  cfg.add_message_type<log_stats>("cf.log_stats");
  cfg.add_message_type<course_request>("cf.course_request");
  cfg.add_message_type<course_summary>("cf.course_summary");
  cfg.add_message_type<course_view>("cf.course_view");
  cfg.add_message_type<course_query>("cf.course_query");
  cfg.add_message_type<course_page>("cf.course_page");
  cfg.add_message_type<course_accepted>("cf.course_accepted");
  cfg.add_message_type<remote_generation>("cf.remote_generation");
  cfg.add_message_type<idempotency_key>("cf.idempotency_key");
  cfg.add_message_type<payment_notice>("cf.payment_notice");
  cfg.add_message_type<webhook_outcome>("cf.webhook_outcome");
  cfg.add_message_type<published_course>("cf.published_course");
  cfg.add_message_type<distribution_answer>("cf.distribution_answer");
  cfg.add_error_category(caf::atom("cf"),
                         [](uint8_t code, caf::atom_value, const caf::message& ctx) {
                           return "cf::" + to_string(static_cast<errc>(code)) + caf::to_string(ctx);
                         });
}

} // namespace cf
