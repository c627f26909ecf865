"""The e-mail outbox: messages are stored first, printed in development, delivered by SMTP when configured."""
