# A bundle stored whose receipt could not be written (a full or read-only medium): the desk
# window's line for it. Machine-assisted: a native speaker must review them.
#   python3 locales/extract.py locales/translations-receipts.py
T = {
    "{}: stored, but its receipt was not written ({}): the kiosk keeps the forms until it has one. Import again once the exchange folder can be written to.": {
        "fr": "{} : enregistré, mais son accusé de réception n'a pas été écrit ({}) : la borne garde les formulaires jusqu'à ce qu'elle en ait un. Importez à nouveau dès que le dossier d'échange accepte l'écriture.",
        "es": "{}: guardado, pero su acuse de recibo no se escribió ({}): el quiosco conserva los formularios hasta tener uno. Importe de nuevo cuando se pueda escribir en la carpeta de intercambio.",
        "de": "{}: gespeichert, aber seine Quittung wurde nicht geschrieben ({}): der Kiosk behält die Formulare, bis er eine hat. Importieren Sie erneut, sobald in den Austauschordner geschrieben werden kann.",
        "pl": "{}: zapisano, ale jego potwierdzenie odbioru nie zostało zapisane ({}): kiosk zachowuje formularze, dopóki go nie otrzyma. Zaimportuj ponownie, gdy do folderu wymiany da się zapisywać.",
        "ro": "{}: stocat, dar confirmarea sa de primire nu a fost scrisă ({}): chioșcul păstrează formularele până primește una. Importați din nou când se poate scrie în folderul de schimb.",
        "pt": "{}: guardado, mas o seu recibo não foi escrito ({}): o quiosque guarda os formulários até ter um. Importe de novo quando for possível escrever na pasta de troca.",
        "ar": "{}: حُفظ، لكن إيصاله لم يُكتب ({}): يحتفظ الكشك بالنماذج حتى يصله إيصال. استورد مرة أخرى عندما يصبح مجلد التبادل قابلاً للكتابة.",
    },
    "The outbox was not written either: {}": {
        "fr": "Le dossier de sortie n'a pas été écrit non plus : {}",
        "es": "Tampoco se escribió la carpeta de salida: {}",
        "de": "Der Ausgangsordner wurde ebenfalls nicht geschrieben: {}",
        "pl": "Folder wyjściowy również nie został zapisany: {}",
        "ro": "Nici folderul de ieșire nu a fost scris: {}",
        "pt": "A pasta de saída também não foi escrita: {}",
        "ar": "ولم يُكتب مجلد الصادر أيضًا: {}",
    },
}
