#include "storage_sizes_json.hpp"

#include "json.hpp"

namespace vigil::central {

std::string storage_sizes_json(const StorageSizes& z, uint64_t files_bytes) {
    rapidjson::StringBuffer b;
    json::Writer w(b);
    w.StartObject();
    w.Key("engine");
    json::write_string(w, z.engine);
    w.Key("database_bytes");
    w.Uint64(z.database_bytes);
    if (z.wal_bytes) w.Key("wal_bytes"), w.Uint64(*z.wal_bytes);
    if (z.free_bytes) w.Key("free_bytes"), w.Uint64(*z.free_bytes);
    w.Key("files_bytes");
    w.Uint64(files_bytes);
    w.Key("days");
    w.StartArray();
    for (const auto& d : z.days) {
        w.StartObject();
        w.Key("day");
        json::write_string(w, d.day);
        w.Key(d.estimated ? "events_estimated" : "events");
        w.Uint64(d.events);
        if (d.bytes) w.Key("bytes"), w.Uint64(*d.bytes);
        w.EndObject();
    }
    w.EndArray();
    w.Key("dropped");
    w.StartObject();
    w.Key("events"), w.Uint64(z.dropped.events);
    w.Key("over_size_limit"), w.Uint64(z.dropped.over_size);
    w.Key("batches"), w.Uint64(z.dropped.batches);
    w.Key("days"), w.Uint64(z.dropped.days);
    w.EndObject();
    w.EndObject();
    return std::string(b.GetString(), b.GetSize());
}

}  // namespace vigil::central
