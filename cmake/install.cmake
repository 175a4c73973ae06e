# What `cmake --install build --prefix P` puts under P (GNU layout), and what debian/rules packages:
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
