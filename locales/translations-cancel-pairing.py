# The pairing code withdrawn on the kiosk's back-office panel (its button and message),
# machine-assisted: a native speaker must review them.
#   python3 locales/extract.py locales/translations-cancel-pairing.py
T = {
    "Cancel pairing": {
        "fr": "Annuler l'association", "es": "Cancelar la vinculación",
        "de": "Kopplung abbrechen", "pl": "Anuluj parowanie",
        "ro": "Renunțați la asociere", "pt": "Cancelar o emparelhamento",
        "ar": "إلغاء بدء الاقتران",
    },
    "Pairing cancelled: the code that was shown no longer pairs a back office.": {
        "fr": "Association annulée : le code affiché n'associe plus aucun secrétariat.",
        "es": "Vinculación cancelada: el código que se mostró ya no vincula ninguna administración.",
        "de": "Kopplung abgebrochen: Der angezeigte Code koppelt keine Verwaltung mehr.",
        "pl": "Parowanie anulowane: pokazany kod nie sparuje już żadnego biura.",
        "ro": "Asociere anulată: codul afișat nu mai asociază niciun birou.",
        "pt": "Emparelhamento cancelado: o código mostrado já não emparelha nenhuma receção.",
        "ar": "أُلغي الاقتران: لم يعد الرمز الذي عُرض يقرن أي مكتب إداري.",
    },
    "No pairing code is open any more: its answer was read, or it was cancelled or replaced. Start pairing for a new code if you still need one.": {
        "fr": "Aucun code d'association n'est plus ouvert : sa réponse a été lue, ou il a été annulé ou remplacé. Lancez l'association pour un nouveau code si vous en avez encore besoin.",
        "es": "Ya no hay ningún código de vinculación abierto: su respuesta se leyó, o se canceló o reemplazó. Inicie la vinculación para obtener un código nuevo si aún lo necesita.",
        "de": "Es ist kein Kopplungscode mehr offen: Seine Antwort wurde gelesen, oder er wurde abgebrochen oder ersetzt. Starten Sie die Kopplung für einen neuen Code, falls Sie noch einen brauchen.",
        "pl": "Żaden kod parowania nie jest już otwarty: jego odpowiedź została odczytana albo został anulowany lub zastąpiony. Rozpocznij parowanie, aby uzyskać nowy kod, jeśli nadal go potrzebujesz.",
        "ro": "Niciun cod de asociere nu mai este deschis: răspunsul lui a fost citit, sau a fost anulat ori înlocuit. Începeți asocierea pentru un cod nou dacă mai aveți nevoie de unul.",
        "pt": "Já não há nenhum código de emparelhamento aberto: a sua resposta foi lida, ou foi cancelado ou substituído. Inicie o emparelhamento para um novo código se ainda precisar de um.",
        "ar": "لم يعد أي رمز اقتران مفتوحًا: قُرئ رده، أو أُلغي أو استُبدل. ابدأ الاقتران للحصول على رمز جديد إن كنت لا تزال بحاجة إليه.",
    },
}
