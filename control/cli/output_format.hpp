// What vpngwctl prints for a successful response. Pure: JSON in, text out.
// Responses are read as ordered JSON so --json keeps the daemon's order.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "control/cli/text_table.hpp"

namespace vpngw::cli {

using OrderedJson = nlohmann::ordered_json;

// The human form of `op`'s result, '\n'-terminated:
//  - "*.list": a table, one row per item, the resource's key columns;
//  - "*.delete": "deleted <id>";
//  - "tunnel.config": the configuration text itself;
//  - anything else: a key/value listing (see flatten_fields).
std::string format_human(std::string_view op, const OrderedJson& result);

// --json: the result object as the API returned it, pretty-printed.
std::string format_json(const OrderedJson& result);

// An object as key/value lines in reading order (identity, state, placement,
// policy, then created_at; unknown fields after, in the daemon's order);
// nested objects flattened to dotted keys ("ike.dh_group"); lists of
// plain values joined; SPD rules one per line ("LOCAL -> PEER, PEER");
// created_at as UTC time; a PSK masked whatever the daemon sent.
std::vector<KeyValue> flatten_fields(const OrderedJson& object);

}  // namespace vpngw::cli
