#include <doctest/doctest.h>

#include "hash_list.hpp"
#include "test_util.hpp"

using namespace vigil::file_threat;

TEST_CASE("file_threat hash list: plain, LOKI and sha256sum formats") {
    HashList l;
    auto errors = l.add_text(
        "# comment\n"
        "\n"
        "44d88612fea8a8f36de82e1278abb02f\n"
        "3395856CE81F2B7382DEE72602F798B642F14140;EICAR sha1\n"
        "275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f  eicar.com\r\n",
        "test");
    CHECK(errors.empty());
    CHECK(l.md5_count() == 1);
    CHECK(l.sha1_count() == 1);
    CHECK(l.sha256_count() == 1);
    const auto* c = l.find_sha1(*from_hex<20>("3395856ce81f2b7382dee72602f798b642f14140"));
    REQUIRE(c);
    CHECK(*c == "EICAR sha1");
    c = l.find_sha256(*from_hex<32>("275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f"));
    REQUIRE(c);
    CHECK(*c == "eicar.com");
    CHECK(l.find_md5(*from_hex<16>("00000000000000000000000000000000")) == nullptr);
}

TEST_CASE("file_threat hash list: bad lines give a clear error naming file and line") {
    HashList l;
    auto errors = l.add_text("44d88612fea8a8f36de82e1278abb02f\nnot-a-hash;comment\nabcdef;short\n", "list.txt");
    REQUIRE(errors.size() == 2);
    CHECK(errors[0].message() == "list.txt:2: 'not-a-hash' is not a hexadecimal hash");
    CHECK(errors[1].line == 3);
    CHECK(errors[1].message().find("6 hex digits is neither MD5 (32), SHA-1 (40) nor SHA-256 (64)") !=
          std::string::npos);
    CHECK(l.md5_count() == 1);  // the good line is kept
}

TEST_CASE("file_threat hash list: a missing file is an error") {
    HashList l;
    auto errors = l.add_file("/nonexistent/list.txt");
    REQUIRE(errors.size() == 1);
    CHECK(errors[0].message().find("/nonexistent/list.txt: cannot read hash list") == 0);
}

TEST_CASE("file_threat hash list: signature-base hash-iocs parses into the documented counts") {
    HashList l;
    auto errors = l.add_file(corpus("hashes/signature-base-hash-iocs.txt"));
    CHECK(errors.empty());
    CHECK(l.md5_lines() == 1039);
    CHECK(l.sha1_lines() == 926);
    CHECK(l.sha256_lines() == 1259);
    // Some hashes appear more than once; lookups need each only once.
    CHECK(l.size() < 3224);
    CHECK(l.find_sha256(*from_hex<32>("ce583821191345274cd954b2db7da9742c239fe413fc17dcb97ffdd7b51cb072")) != nullptr);
}

TEST_CASE("file_threat hash list: coreutils sha256sum list of clamav-testfiles") {
    HashList l;
    CHECK(l.add_file(corpus("hashes/clamav-testfiles.sha256sum")).empty());
    CHECK(l.add_file(corpus("hashes/clamav-testfiles.md5sum")).empty());
    // The corpus README says 46 files; the Debian package and the lists hold 44.
    CHECK(l.sha256_lines() == 44);
    CHECK(l.md5_lines() == 44);
    CHECK(l.sha256_count() == 44);
}
