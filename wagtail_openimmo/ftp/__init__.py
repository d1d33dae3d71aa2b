"""The built-in FTP server that broker software uploads OpenImmo files to.

``server.build_server()`` makes a pyftpdlib server from the settings; the command
``openimmo_ftpd`` runs it. This package imports pyftpdlib: import it only where needed.
"""
