"""The demo company's words, one module per language (``en.py``, ``ru.py``) of the shape in
``base.py``; ``languages.py`` picks one by language code. The builders read them from there."""
