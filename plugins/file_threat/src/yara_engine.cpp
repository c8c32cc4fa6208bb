#include "yara_engine.hpp"

#include <yara.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <mutex>

#include "vigil/common/trusted_path.hpp"

namespace vigil::file_threat {

namespace fs = std::filesystem;

namespace {

// libyara keeps process-wide state; initialise it once for the process life
// (the plugin is never unloaded, and finalising while another plugin might use
// libyara would be unsafe).
void ensure_yara_initialized() {
    static std::once_flag once;
    static int rc = ERROR_SUCCESS;
    std::call_once(once, [] { rc = yr_initialize(); });
    if (rc != ERROR_SUCCESS) throw std::runtime_error("libyara initialisation failed (error " + std::to_string(rc) + ")");
}

const char* const kExternals[] = {"filename", "filepath", "extension", "filetype", "owner"};

struct CompileErrors {
    std::vector<std::string> messages;
};

void on_compile_message(int level, const char* file, int line, const YR_RULE*, const char* message, void* user) {
    if (level != YARA_ERROR_LEVEL_ERROR) return;  // warnings (slow rules) are not fatal
    auto* errs = static_cast<CompileErrors*>(user);
    errs->messages.push_back(std::string(file ? file : "<rules>") + ":" + std::to_string(line) + ": " +
                             (message ? message : "error"));
}

struct ScanCollector {
    std::vector<YaraRules::Match>* out;
};

int on_scan_message(YR_SCAN_CONTEXT*, int message, void* data, void* user) {
    if (message != CALLBACK_MSG_RULE_MATCHING) return CALLBACK_CONTINUE;
    auto* rule = static_cast<YR_RULE*>(data);
    YaraRules::Match m;
    m.rule = rule->identifier;
    const YR_META* meta;
    yr_rule_metas_foreach(rule, meta) {
        std::string id = meta->identifier;
        std::transform(id.begin(), id.end(), id.begin(), ::tolower);  // "Description" appears too
        if (meta->type == META_TYPE_STRING) {
            if (id == "description" && m.description.empty()) m.description = meta->string;
            else if (id == "author" && m.author.empty()) m.author = meta->string;
        } else if (meta->type == META_TYPE_INTEGER && id == "score") {
            m.score = int(meta->integer);
        }
    }
    const char* tag;
    yr_rule_tags_foreach(rule, tag) {
        if (!m.tags.empty()) m.tags += ",";
        m.tags += tag;
    }
    static_cast<ScanCollector*>(user)->out->push_back(std::move(m));
    return CALLBACK_CONTINUE;
}

// Hands the blocks to libyara one after the other.
struct BlockIterator {
    YR_MEMORY_BLOCK_ITERATOR it{};
    std::vector<YR_MEMORY_BLOCK> blocks;
    size_t next = 0;
    uint64_t file_size = 0;

    static const uint8_t* fetch(YR_MEMORY_BLOCK* b) { return static_cast<const uint8_t*>(b->context); }
    static YR_MEMORY_BLOCK* next_block(YR_MEMORY_BLOCK_ITERATOR* it) {
        auto* self = static_cast<BlockIterator*>(it->context);
        it->last_error = ERROR_SUCCESS;
        return self->next < self->blocks.size() ? &self->blocks[self->next++] : nullptr;
    }
    static YR_MEMORY_BLOCK* first_block(YR_MEMORY_BLOCK_ITERATOR* it) {
        static_cast<BlockIterator*>(it->context)->next = 0;
        return next_block(it);
    }
    static uint64_t size(YR_MEMORY_BLOCK_ITERATOR* it) { return static_cast<BlockIterator*>(it->context)->file_size; }

    BlockIterator(const std::vector<YaraRules::Block>& in, uint64_t total) : file_size(total) {
        for (const auto& b : in) {
            YR_MEMORY_BLOCK m{};
            m.size = b.data.size();
            m.base = b.offset;
            m.context = const_cast<char*>(b.data.data());
            m.fetch_data = &fetch;
            blocks.push_back(m);
        }
        it.context = this;
        it.first = &first_block;
        it.next = &next_block;
        it.file_size = &size;
        it.last_error = ERROR_SUCCESS;
    }
};

bool is_rule_file(const fs::path& p) {
    auto ext = p.extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(), ::tolower);
    return ext == ".yar" || ext == ".yara";
}

}  // namespace

std::vector<std::string> expand_rule_sources(const std::vector<std::string>& sources) {
    std::vector<std::string> files;
    for (const auto& src : sources) {
        std::error_code ec;
        auto st = fs::status(src, ec);
        if (ec || !fs::exists(st)) throw std::runtime_error("YARA rule source '" + src + "' does not exist");
        if (fs::is_directory(st)) {
            std::vector<std::string> found;
            for (fs::recursive_directory_iterator it(src, fs::directory_options::skip_permission_denied, ec), end;
                 !ec && it != end; it.increment(ec))
                if (it->is_regular_file() && is_rule_file(it->path())) found.push_back(it->path().string());
            if (ec) throw std::runtime_error("cannot list YARA rule directory '" + src + "': " + ec.message());
            std::sort(found.begin(), found.end());
            files.insert(files.end(), found.begin(), found.end());
        } else {
            files.push_back(src);
        }
    }
    return files;
}

std::shared_ptr<const YaraRules> YaraRules::compile(const std::vector<std::string>& sources) {
    std::shared_ptr<YaraRules> rules(new YaraRules);
    rules->files_ = expand_rule_sources(sources);
    if (rules->files_.empty()) return rules;
    ensure_yara_initialized();

    YR_COMPILER* compiler = nullptr;
    if (yr_compiler_create(&compiler) != ERROR_SUCCESS) throw std::runtime_error("cannot create YARA compiler");
    struct Guard {
        YR_COMPILER* c;
        ~Guard() { yr_compiler_destroy(c); }
    } guard{compiler};
    CompileErrors errors;
    yr_compiler_set_callback(compiler, on_compile_message, &errors);
    for (const char* name : kExternals) yr_compiler_define_string_variable(compiler, name, "");

    for (const auto& file : rules->files_) {
        try {
            (void)vigil::common::require_trusted_path(file, "YARA rule file", vigil::common::PathKind::file);
        } catch (const vigil::common::UntrustedPath& e) {
            throw std::runtime_error(e.what());
        }
        FILE* f = std::fopen(file.c_str(), "r");
        if (!f) throw std::runtime_error("cannot read YARA rule file '" + file + "'");
        int n = yr_compiler_add_file(compiler, f, nullptr, file.c_str());
        std::fclose(f);
        // libyara's compiler cannot take more input after an error.
        if (n > 0) break;
    }
    if (!errors.messages.empty()) {
        std::string msg = "YARA rules do not compile:";
        for (const auto& m : errors.messages) msg += "\n  " + m;
        throw std::runtime_error(msg);
    }
    if (yr_compiler_get_rules(compiler, &rules->rules_) != ERROR_SUCCESS)
        throw std::runtime_error("cannot build YARA rules (out of memory?)");
    const YR_RULE* rule;
    yr_rules_foreach(rules->rules_, rule) {
        if (!(rule->flags & RULE_FLAGS_PRIVATE)) ++rules->rule_count_;
    }
    return rules;
}

YaraRules::~YaraRules() {
    if (rules_) yr_rules_destroy(rules_);
}

YaraRules::Status YaraRules::scan(const std::vector<Block>& blocks, uint64_t file_size, const Externals& ext,
                                  int timeout_s, std::vector<Match>& out, std::string& error) const {
    if (!rules_) return Status::Ok;
    YR_SCANNER* scanner = nullptr;
    if (yr_scanner_create(rules_, &scanner) != ERROR_SUCCESS) {
        error = "cannot create YARA scanner";
        return Status::Error;
    }
    ScanCollector collector{&out};
    yr_scanner_set_callback(scanner, on_scan_message, &collector);
    yr_scanner_set_timeout(scanner, std::max(1, timeout_s));
    yr_scanner_set_flags(scanner, SCAN_FLAGS_FAST_MODE);
    yr_scanner_define_string_variable(scanner, "filename", ext.filename.c_str());
    yr_scanner_define_string_variable(scanner, "filepath", ext.filepath.c_str());
    yr_scanner_define_string_variable(scanner, "extension", ext.extension.c_str());
    yr_scanner_define_string_variable(scanner, "filetype", ext.filetype.c_str());
    yr_scanner_define_string_variable(scanner, "owner", ext.owner.c_str());
    BlockIterator iterator(blocks, file_size);
    int rc = yr_scanner_scan_mem_blocks(scanner, &iterator.it);
    yr_scanner_destroy(scanner);
    if (rc == ERROR_SUCCESS) return Status::Ok;
    if (rc == ERROR_SCAN_TIMEOUT) return Status::Timeout;
    error = "YARA scan failed (libyara error " + std::to_string(rc) + ")";
    return Status::Error;
}

}  // namespace vigil::file_threat
