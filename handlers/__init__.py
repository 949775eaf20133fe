"""What Connexion binds: one module per spec document, one function per operationId (snake_case).

Handlers stay thin: name the request, call one service function, render. No SQL, no hcloud, no
try/except, no Connexion import.
"""

__all__: list[str] = []
