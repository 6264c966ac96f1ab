"""The music library: walking folders, reading tags (mutagen) and keeping the catalog in step.

``scan_folder`` (in ``musitui.library.scan``) is the entry point; nothing here decodes audio.
"""
