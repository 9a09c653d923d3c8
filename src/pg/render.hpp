// The one voice: how a judged key pair is described and fixed, for the
// diagnostic functions and the guard alike. The sentences themselves are
// src/core/pair_text.*, shared with the npm package.
#pragma once

#include "../core/pair_text.hpp"
#include "catalog_pairs.hpp"

namespace fkg {

RenderedPair render_pair(const KeyPair &pair, const JudgedPair &judged);

}  // namespace fkg
