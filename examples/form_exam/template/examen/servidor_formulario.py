"""Examen: servidor HTTP en el puerto 8080, hecho con sockets, que sirve un formulario.

- GET / responde 200 con una página HTML con un <form method="post"> que tiene un
  <input name="nombre">;
- POST / (el cuerpo es el formulario codificado: nombre=...) responde 200 con una página que
  saluda con el nombre recibido, decodificado;
- cualquier otra ruta responde 404.
"""

raise NotImplementedError("examen: escribe el servidor")
