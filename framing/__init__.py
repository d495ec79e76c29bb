"""framing: compare how news outlets frame the same facts."""
__version__ = "0.1.0"

from .corpus import Corpus, corpus_from_frame, load_corpus, seeds_path
from .errors import FramingError, FramingWarning

__all__ = ["Corpus", "load_corpus", "corpus_from_frame", "seeds_path", "FramingError", "FramingWarning",
           "__version__"]
