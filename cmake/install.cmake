# What `cmake --install build --prefix P` puts under P (GNU layout), and the .deb CPack builds from it:
#   bin/attnscope, bin/attnscope-cli, bin/attnscope-plot      (the programs install themselves in their folders)
#   share/attnscope/sample_runs/                               the app opens these on first start, and the
#                                                              sample sweeps (sample_runs/sweeps/<name>/)
#   share/doc/attnscope/                                       README and docs/
#   share/applications, share/metainfo, share/icons/hicolor    desktop integration
#   share/mime/packages                                        the run file type (application/x-attnscope-run)
#   share/attnscope/attnscope.magic                            the same for libmagic (`file -m`)
set(ATTNSCOPE_APP_ID io.github.attnscope.AttnScope)

install(DIRECTORY ${PROJECT_SOURCE_DIR}/sample_runs/ DESTINATION ${CMAKE_INSTALL_DATADIR}/attnscope/sample_runs
        FILES_MATCHING PATTERN "*.attnrun" PATTERN "*.md" PATTERN "*.csv" PATTERN "*.json")
install(FILES ${PROJECT_SOURCE_DIR}/resources/attnscope.magic DESTINATION ${CMAKE_INSTALL_DATADIR}/attnscope)
install(FILES ${PROJECT_SOURCE_DIR}/README.md ${PROJECT_SOURCE_DIR}/LICENSE DESTINATION ${CMAKE_INSTALL_DATADIR}/doc/attnscope)
install(DIRECTORY ${PROJECT_SOURCE_DIR}/docs/ DESTINATION ${CMAKE_INSTALL_DATADIR}/doc/attnscope/docs)

if(ATTNSCOPE_BUILD_GUI)
  install(FILES ${PROJECT_SOURCE_DIR}/resources/${ATTNSCOPE_APP_ID}.desktop
          DESTINATION ${CMAKE_INSTALL_DATADIR}/applications)
  install(FILES ${PROJECT_SOURCE_DIR}/resources/${ATTNSCOPE_APP_ID}.metainfo.xml
          DESTINATION ${CMAKE_INSTALL_DATADIR}/metainfo)
  install(FILES ${PROJECT_SOURCE_DIR}/resources/${ATTNSCOPE_APP_ID}.mime.xml
          DESTINATION ${CMAKE_INSTALL_DATADIR}/mime/packages RENAME ${ATTNSCOPE_APP_ID}.xml)
  install(FILES ${PROJECT_SOURCE_DIR}/resources/icons/attnscope.svg
          DESTINATION ${CMAKE_INSTALL_DATADIR}/icons/hicolor/scalable/apps RENAME ${ATTNSCOPE_APP_ID}.svg)
  foreach(size 16 24 32 48 64 128 256)
    install(FILES ${PROJECT_SOURCE_DIR}/resources/icons/attnscope-${size}.png
            DESTINATION ${CMAKE_INSTALL_DATADIR}/icons/hicolor/${size}x${size}/apps RENAME ${ATTNSCOPE_APP_ID}.png)
  endforeach()
endif()

# CPack: `cpack --config build/CPackConfig.cmake -G DEB` (scripts/make-deb.sh) → attnscope_<version>_amd64.deb.
set(CPACK_PACKAGE_NAME attnscope)
set(CPACK_PACKAGE_VENDOR "AttnScope")
set(CPACK_PACKAGE_CONTACT "AttnScope developers <dev@attnscope.invalid>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "Desktop lab for attention dynamics in small transformers")
set(CPACK_PACKAGE_DESCRIPTION
    "AttnScope trains small decoder-only transformers on the CPU, exactly and reproducibly, and shows live what
attention does: attention maps of every layer and head, entropy, logit growth, sinks, loss curves. It
compares LS-attention, ALiBi, value residuals and sigmaReparam, and exports publication figures.
Includes attnscope-cli (training and export without the GUI) and attnscope-plot (figures).")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION science)
# Library dependencies come from dpkg-shlibdeps (Qt, OpenBLAS, SQLite, zlib, libgomp, libstdc++);
# what the programs open at run time without linking it is listed: the DejaVu fonts the figures use and the
# fortunes corpus the default data set reads. (Qt's xcb and offscreen platform plugins come with libqt6gui6.)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# The engine is linked against the pthread flavour of OpenBLAS by path (core/CMakeLists.txt); shlibdeps only
# knows the soname, which every flavour provides.
set(CPACK_DEBIAN_PACKAGE_DEPENDS "libopenblas0-pthread, fonts-dejavu-core, fortunes")
set(CPACK_STRIP_FILES ON)
include(CPack)
