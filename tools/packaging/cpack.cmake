# The Debian package: `cmake --build BUILD --target package` (or `cpack` in BUILD) makes
# autosync_VERSION_ARCH.deb with the programs, man pages, systemd units and mount helper.
# Included last by the top-level CMakeLists.txt (CPack must be set up there).
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME autosync)
set(CPACK_PACKAGE_CONTACT "AutoSync developers <dev@autosync.invalid>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "mount cloud object storage as a local folder")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION utils)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "fuse3")
set(CPACK_STRIP_FILES ON)
include(CPack)
