"""The drop folder (``mission-importer watch``), a front end beside the command line and
the page: :mod:`importer.watch.service` runs the service, :mod:`importer.watch.inbox`
answers its questions about the inbox's files (which ones are inputs, where each goes).
"""
