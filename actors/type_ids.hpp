// Atoms shared by coursefactory's actors, and the registration of every message type.
// Atoms are verbs of at most 10 characters (a CAF 0.17 limit); reuse caf::get_atom where it fits.
#pragma once

#include <caf/actor_system_config.hpp>
#include <caf/atom.hpp>

namespace cf {

using append_atom = caf::atom_constant<caf::atom("append")>;
using query_atom = caf::atom_constant<caf::atom("query")>;
using list_atom = caf::atom_constant<caf::atom("list")>;
using head_atom = caf::atom_constant<caf::atom("head")>;
using subscribe_atom = caf::atom_constant<caf::atom("subscribe")>;
using notify_atom = caf::atom_constant<caf::atom("notify")>;
using create_atom = caf::atom_constant<caf::atom("create")>;
using generate_atom = caf::atom_constant<caf::atom("generate")>;
using recall_atom = caf::atom_constant<caf::atom("recall")>;
using retry_atom = caf::atom_constant<caf::atom("retry")>;
using resume_atom = caf::atom_constant<caf::atom("resume")>;
using webhook_atom = caf::atom_constant<caf::atom("webhook")>;
using expire_atom = caf::atom_constant<caf::atom("expire")>;
using done_atom = caf::atom_constant<caf::atom("done")>;
using publish_atom = caf::atom_constant<caf::atom("publish")>;
using sweep_atom = caf::atom_constant<caf::atom("sweep")>;
using checkpoint_atom = caf::atom_constant<caf::atom("checkpoint")>;
using stats_atom = caf::atom_constant<caf::atom("stats")>;
using flush_atom = caf::atom_constant<caf::atom("flush")>;
using summary_atom = caf::atom_constant<caf::atom("summary")>;
using answer_atom = caf::atom_constant<caf::atom("answer")>;
using result_atom = caf::atom_constant<caf::atom("result")>;

/// Registers every cf message type and the "cf" error renderer. Call on every
/// actor_system_config before constructing the actor_system (the service and test fixtures do).
void register_types(caf::actor_system_config& cfg);

} // namespace cf
