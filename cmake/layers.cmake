# Layers the build enforces. Every folder of core/ and gui/ (and figures/, cli/) is its own library, and a
# library sees the headers of exactly the libraries it links (directly or through them): its own folder is
# published as "<folder>/…" under a private include root in the build tree (a symbolic link to the source
# folder), never the source root. An include that points upward, e.g. `#include "core/train/trainer.h"` in
# core/probe/, therefore fails to compile ("No such file or directory"); the fix is to move the code down, not
# to add the link. The allowed arrows are listed at the top of core/CMakeLists.txt and gui/CMakeLists.txt.

# attnscope_publish(<target> <folder>): `#include "<folder>/x.h"` works in <target> and in what links it.
function(attnscope_publish target folder)
  set(root ${PROJECT_BINARY_DIR}/layers/${target})
  get_filename_component(parent ${root}/${folder} DIRECTORY)
  file(MAKE_DIRECTORY ${parent})
  if(NOT IS_SYMLINK ${root}/${folder})
    file(CREATE_LINK ${PROJECT_SOURCE_DIR}/${folder} ${root}/${folder} SYMBOLIC)
  endif()
  target_include_directories(${target} PUBLIC ${root})
endfunction()

# attnscope_layer(<target> <folder> [DEPENDS <library>…] [SOURCES_EXCLUDE <regex>]): a static library of the
# .cpp (and, for AUTOMOC, .h) files directly in <folder>, linking only the libraries below it it may use.
function(attnscope_layer target folder)
  cmake_parse_arguments(ARG "" "SOURCES_EXCLUDE" "DEPENDS" ${ARGN})
  file(GLOB sources CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/${folder}/*.cpp ${PROJECT_SOURCE_DIR}/${folder}/*.h)
  if(ARG_SOURCES_EXCLUDE)
    list(FILTER sources EXCLUDE REGEX "${ARG_SOURCES_EXCLUDE}")
  endif()
  add_library(${target} STATIC ${sources})
  set_property(GLOBAL APPEND PROPERTY ATTNSCOPE_LAYER_FOLDERS ${folder})
  attnscope_publish(${target} ${folder})
  target_link_libraries(${target} PUBLIC ${ARG_DEPENDS})
  target_compile_options(${target} PRIVATE ${ATTNSCOPE_WARNINGS})
endfunction()

# attnscope_require_layers(<folder>): every subfolder of <folder> holding sources must be a layer; a new folder
# stops the configuration with a message instead of leaving its files out of the build.
function(attnscope_require_layers parent)
  get_property(declared GLOBAL PROPERTY ATTNSCOPE_LAYER_FOLDERS)
  file(GLOB children LIST_DIRECTORIES true RELATIVE ${PROJECT_SOURCE_DIR} ${PROJECT_SOURCE_DIR}/${parent}/*)
  foreach(child ${children})
    if(IS_DIRECTORY ${PROJECT_SOURCE_DIR}/${child})
      file(GLOB child_sources ${PROJECT_SOURCE_DIR}/${child}/*.cpp)
      if(child_sources AND NOT child IN_LIST declared)
        message(FATAL_ERROR "${child} is not a layer: add an attnscope_layer() line for it to "
                            "${parent}/CMakeLists.txt, linking only the layers below it.")
      endif()
    endif()
  endforeach()
endfunction()
