// What the dataplane test binary's main() sets up once for every test: the
// EAL (no hugepages, no PCI) and one mbuf pool.
#pragma once

#include <rte_mempool.h>

namespace vpngw::dataplane::test {

rte_mempool* test_pool();

}  // namespace vpngw::dataplane::test
