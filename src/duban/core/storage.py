"""Static files: hashed and compressed by WhiteNoise, served by the app itself (no CDN, no nginx needed)."""

from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticStorage(CompressedManifestStaticFilesStorage):
    """Falls back to the plain file name before `collectstatic` has run (tests, a first `manage` call)."""

    manifest_strict = False

    def stored_name(self, name):
        try:
            return super().stored_name(name)
        except ValueError:  # not collected yet: the finders serve the unhashed name
            return name
