# bpf_object(NAME SOURCES...)
# Compiles each BPF C source with clang (-target bpf, CO-RE against the vendored vmlinux.h),
# statically links them with `bpftool gen object` when there are several, and generates
# NAME.skel.h with `bpftool gen skeleton`. Exposes an INTERFACE target NAME_skel whose include
# directory holds the skeleton.
find_program(BPF_CLANG NAMES clang-14 clang REQUIRED)
find_program(BPFTOOL NAMES bpftool REQUIRED)

set(BPF_VMLINUX_DIR ${PROJECT_SOURCE_DIR}/bpf/vmlinux/x86)
set(BPF_CFLAGS -g -O2 -target bpf -mcpu=v3 -D__TARGET_ARCH_x86 -Wall -Wextra -Werror
    -Wno-unused-parameter -I${BPF_VMLINUX_DIR} -I${PROJECT_SOURCE_DIR}/bpf -I${PROJECT_SOURCE_DIR}/include)

function(bpf_object name)
  # PROGRAMS_HEADER: also NAME.programs.hpp, the object's program names as C++ constants
  # (cmake/skel_programs.sh), for code that names programs.
  cmake_parse_arguments(arg "PROGRAMS_HEADER" "" "" ${ARGN})
  set(out_dir ${CMAKE_CURRENT_BINARY_DIR}/bpf)
  file(MAKE_DIRECTORY ${out_dir})
  file(GLOB bpf_headers ${PROJECT_SOURCE_DIR}/bpf/lib/*.h ${PROJECT_SOURCE_DIR}/bpf/*/*.h ${PROJECT_SOURCE_DIR}/include/faultline/*.h)
  set(objects)
  foreach(src ${arg_UNPARSED_ARGUMENTS})
    # The folder in the name: bpf/network/net.bpf.c -> network_net.bpf.o, so two families' files
    # (or a family's and a core one) of one name never share an object.
    get_filename_component(base ${src} NAME_WE)
    get_filename_component(dir ${src} DIRECTORY)
    string(REGEX REPLACE "^bpf/?" "" dir "${dir}")
    string(REPLACE "/" "_" dir "${dir}")
    if(dir)
      set(base ${dir}_${base})
    endif()
    set(obj ${out_dir}/${base}.bpf.o)
    add_custom_command(
      OUTPUT ${obj}
      COMMAND ${BPF_CLANG} ${BPF_CFLAGS} -c ${PROJECT_SOURCE_DIR}/${src} -o ${obj}
      DEPENDS ${PROJECT_SOURCE_DIR}/${src} ${bpf_headers}
      COMMENT "BPF ${src}"
      VERBATIM)
    list(APPEND objects ${obj})
  endforeach()
  set(linked ${out_dir}/${name}.o)
  set(skel ${out_dir}/${name}.skel.h)
  add_custom_command(
    OUTPUT ${skel}
    COMMAND ${BPFTOOL} gen object ${linked} ${objects}
    COMMAND ${BPFTOOL} gen skeleton ${linked} name ${name} > ${skel}
    DEPENDS ${objects}
    COMMENT "BPF skeleton ${name}.skel.h"
    VERBATIM)
  set(generated ${skel})
  if(arg_PROGRAMS_HEADER)
    set(programs ${out_dir}/${name}.programs.hpp)
    add_custom_command(
      OUTPUT ${programs}
      COMMAND sh ${PROJECT_SOURCE_DIR}/cmake/skel_programs.sh ${skel} ${programs}
      DEPENDS ${skel} ${PROJECT_SOURCE_DIR}/cmake/skel_programs.sh
      COMMENT "BPF program names ${name}.programs.hpp"
      VERBATIM)
    list(APPEND generated ${programs})
  endif()
  add_custom_target(${name}_skel_gen DEPENDS ${generated})
  add_library(${name}_skel INTERFACE)
  target_include_directories(${name}_skel INTERFACE ${out_dir})
  add_dependencies(${name}_skel ${name}_skel_gen)
endfunction()
