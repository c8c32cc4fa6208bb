# Debug information that fits on a CI disk.
# Full DWARF for C++ templates is most of the build tree (a clean build plus the
# sanitizer build plus ccache filled a small CI disk). Compressed debug sections
# keep gdb and perf symbolisation intact at under half the size; the sanitizer
# build keeps only line tables, which is all ASan/UBSan reports need.
include(CheckCXXCompilerFlag)
check_cxx_compiler_flag(-gz VIGIL_HAVE_GZ)
if(VIGIL_HAVE_GZ)
  add_compile_options(-gz)
  add_link_options(-gz)
endif()
if(VIGIL_SANITIZE)
  add_compile_options(-g1)
endif()
