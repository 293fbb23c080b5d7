"""Evidence store on Chroma and the embeddings it is built with (the only package importing chromadb)."""
