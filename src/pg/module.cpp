// Module entry: the magic block.
#include "prelude.hpp"

extern "C" {
PG_MODULE_MAGIC;
}
