#pragma once
// Telemetry batches shaped like the ones kataedr sends (OCSF process/network/file mix),
// shared by the central-ingest and central-https benchmarks.
#include <cstdint>
#include <string>

namespace vigil::central::bench {

inline constexpr const char* kAgent = "5b1c0a3e-bench-4000-8000-000000000001";

// A batch of OCSF events shaped like the ones kataedr sends (process/network/file mix).
inline std::string make_batch(int64_t seq, int events) {
    std::string j = std::string("{\"agent_id\":\"") + kAgent + "\",\"batch_seq\":" + std::to_string(seq) +
                    ",\"events\":[";
    for (int i = 0; i < events; ++i) {
        const std::string n = std::to_string(seq * events + i);
        const std::string common =
            "\"time\":" + std::to_string(1700000000000LL + seq * events + i) +
            ",\"severity_id\":1,\"metadata\":{\"product\":{\"name\":\"Vigil\",\"vendor_name\":\"Vigil\"},"
            "\"version\":\"1.1.0\",\"uid\":\"" +
            std::string(kAgent) + ":" + n + "\",\"sequence\":" + n +
            "},\"device\":{\"hostname\":\"bench-host\",\"uid\":\"" + kAgent + "\"}";
        const std::string proc =
            "{\"pid\":" + std::to_string(1000 + i) +
            ",\"cmd_line\":\"/usr/bin/curl -s https://example.com/p/" + n +
            "\",\"file\":{\"path\":\"/usr/bin/curl\",\"hashes\":[{\"algorithm\":\"SHA-256\",\"value\":"
            "\"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\"}]},\"user\":{\"name\":"
            "\"root\","
            "\"uid\":0},\"parent_process\":{\"pid\":900,\"cmd_line\":\"bash -c "
            "job\",\"file\":{\"path\":\"/usr/bin/bash\"}},"
            "\"working_directory\":\"/root\"}";
        if (i) j += ",";
        switch (i % 3) {
            case 0:
                j += "{\"class_uid\":1007,\"class_name\":\"Process "
                     "Activity\",\"activity_id\":1,\"activity_name\":\"Launch\",\"type\":\"process\"," +
                     common + ",\"process\":" + proc + "}";
                break;
            case 1:
                j += "{\"class_uid\":4001,\"class_name\":\"Network "
                     "Activity\",\"activity_id\":1,\"activity_name\":\"Open\",\"type\":\"network\"," +
                     common + ",\"src_endpoint\":{\"ip\":\"10.0.0.5\",\"port\":" + std::to_string(30000 + i) +
                     "},\"dst_endpoint\":{\"ip\":\"93.184.216.34\",\"port\":443},\"connection_info\":{"
                     "\"protocol_name\":\"tcp\","
                     "\"direction\":\"outbound\"},\"actor\":{\"process\":" +
                     proc + "}}";
                break;
            default:
                j += "{\"class_uid\":1001,\"class_name\":\"File System "
                     "Activity\",\"activity_id\":1,\"activity_name\":\"Create\",\"type\":\"file\"," +
                     common + ",\"file\":{\"path\":\"/tmp/out/" + n + ".txt\",\"name\":\"" + n +
                     ".txt\",\"parent_folder\":\"/tmp/out\"},"
                     "\"actor\":{\"process\":" +
                     proc + "}}";
        }
    }
    return j + "]}";
}

}  // namespace vigil::central::bench
