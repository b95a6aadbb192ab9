// What the table tests' main() provides.
#pragma once

#include <rte_mempool.h>

namespace vpngw::dataplane::test {

// A pool of small mbufs (256-byte data rooms), created before any test runs.
rte_mempool* tables_pool();

}  // namespace vpngw::dataplane::test
