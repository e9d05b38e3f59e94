# A kiosk whose clock reads behind what it recorded (staff home's message and a manager's
# confirmation), machine-assisted: a native speaker must review them.
#   python3 locales/extract.py locales/translations-clock.py
T = {
    "No handover: the clock reads {}, before {}, which this kiosk has already recorded. The back office refuses forms from a clock set back: set the date and time. A manager may confirm a clock that is right.": {
        "fr": "Pas de remise : l'horloge indique {}, avant {}, heure que ce kiosque a déjà enregistrée. Le secrétariat refuse les formulaires d'une horloge retardée : réglez la date et l'heure. Un responsable peut confirmer une horloge juste.",
        "es": "Sin entrega: el reloj marca {}, antes de {}, hora que este quiosco ya registró. La administración rechaza formularios de un reloj atrasado: ajuste la fecha y la hora. Un responsable puede confirmar un reloj correcto.",
        "de": "Keine Übergabe: Die Uhr zeigt {}, vor {}, einer Zeit, die dieser Kiosk schon aufgezeichnet hat. Die Verwaltung lehnt Formulare einer zurückgestellten Uhr ab: Datum und Uhrzeit einstellen. Eine Leitung kann eine richtige Uhr bestätigen.",
        "pl": "Brak przekazania: zegar wskazuje {}, przed {}, czasem już zapisanym przez ten kiosk. Biuro odrzuca formularze z cofniętego zegara: ustaw datę i godzinę. Kierownik może potwierdzić dobry zegar.",
        "ro": "Nicio predare: ceasul arată {}, înainte de {}, oră pe care acest chioșc a înregistrat-o deja. Biroul refuză formularele de la un ceas dat înapoi: setați data și ora. Un manager poate confirma un ceas corect.",
        "pt": "Sem entrega: o relógio marca {}, antes de {}, hora que este quiosque já registou. A receção recusa formulários de um relógio atrasado: acerte a data e a hora. Um gestor pode confirmar um relógio certo.",
        "ar": "لا تسليم: تُظهر الساعة {}، قبل {}، وهو وقت سجّله هذا الكشك بالفعل. يرفض المكتب الإداري نماذج ساعة أُعيدت إلى الوراء: اضبط التاريخ والوقت. يمكن للمدير تأكيد ساعة صحيحة.",
    },
    "The clock is confirmed as right; handovers can start.": {
        "fr": "L'horloge est confirmée comme juste ; les remises peuvent commencer.",
        "es": "Se confirmó que el reloj es correcto; ya pueden empezar las entregas.",
        "de": "Die Uhr ist als richtig bestätigt; Übergaben können beginnen.",
        "pl": "Potwierdzono, że zegar jest dobry; można rozpoczynać przekazania.",
        "ro": "Ceasul este confirmat ca fiind corect; predările pot începe.",
        "pt": "O relógio foi confirmado como certo; as entregas podem começar.",
        "ar": "تم تأكيد أن الساعة صحيحة؛ يمكن بدء التسليم.",
    },
    "The clock is right": {
        "fr": "L'horloge est juste", "es": "El reloj es correcto", "de": "Die Uhr geht richtig",
        "pl": "Zegar jest dobry", "ro": "Ceasul este corect", "pt": "O relógio está certo",
        "ar": "الساعة صحيحة",
    },
    "The clock is confirmed as right; run the retention check again.": {
        "fr": "L'horloge est confirmée comme juste ; relancez la vérification de conservation.",
        "es": "Se confirmó que el reloj es correcto; vuelva a ejecutar la comprobación de conservación.",
        "de": "Die Uhr ist als richtig bestätigt; führen Sie die Aufbewahrungsprüfung erneut aus.",
        "pl": "Potwierdzono, że zegar jest dobry; uruchom ponownie kontrolę okresu przechowywania.",
        "ro": "Ceasul este confirmat ca fiind corect; rulați din nou verificarea păstrării.",
        "pt": "O relógio foi confirmado como certo; execute de novo a verificação de conservação.",
        "ar": "تم تأكيد أن الساعة صحيحة؛ شغّل فحص مدة الاحتفاظ مرة أخرى.",
    },
    "The clock reads {}, more than 92 days after the last retention check ({}), so no record was erased: a clock that jumped ahead would erase records years early. If the date is right (the desk was not used for that long), a manager taps The clock is right; otherwise set the date and time.": {
        "fr": "L'horloge indique {}, plus de 92 jours après la dernière vérification de conservation ({}) ; aucun dossier n'a donc été effacé : une horloge qui a fait un bond en avant effacerait des dossiers des années trop tôt. Si la date est juste (le secrétariat n'a pas servi depuis), un responsable touche « L'horloge est juste » ; sinon, réglez la date et l'heure.",
        "es": "El reloj marca {}, más de 92 días después de la última comprobación de conservación ({}), así que no se borró ningún expediente: un reloj que saltó hacia delante borraría expedientes años antes de tiempo. Si la fecha es correcta (la administración no se usó en ese tiempo), un responsable pulsa «El reloj es correcto»; si no, ajuste la fecha y la hora.",
        "de": "Die Uhr zeigt {}, mehr als 92 Tage nach der letzten Aufbewahrungsprüfung ({}); daher wurde keine Akte gelöscht: Eine vorgesprungene Uhr würde Akten Jahre zu früh löschen. Stimmt das Datum (die Verwaltung war so lange nicht in Gebrauch), tippt eine Leitung auf „Die Uhr geht richtig“; sonst Datum und Uhrzeit einstellen.",
        "pl": "Zegar wskazuje {}, ponad 92 dni po ostatniej kontroli okresu przechowywania ({}), więc nie usunięto żadnej dokumentacji: zegar, który skoczył do przodu, usunąłby dokumentację o lata za wcześnie. Jeśli data jest dobra (biuro nie było tak długo używane), kierownik dotyka „Zegar jest dobry”; w przeciwnym razie ustaw datę i godzinę.",
        "ro": "Ceasul arată {}, la peste 92 de zile după ultima verificare a păstrării ({}), așa că nu a fost șters niciun dosar: un ceas care a sărit înainte ar șterge dosare cu ani prea devreme. Dacă data este corectă (biroul nu a fost folosit atâta timp), un manager atinge „Ceasul este corect”; altfel setați data și ora.",
        "pt": "O relógio marca {}, mais de 92 dias após a última verificação de conservação ({}), por isso nenhum processo foi apagado: um relógio que saltou para a frente apagaria processos anos antes do tempo. Se a data estiver certa (a receção não foi usada durante esse tempo), um gestor toca em «O relógio está certo»; caso contrário, acerte a data e a hora.",
        "ar": "تُظهر الساعة {}، أي بعد أكثر من 92 يومًا من آخر فحص لمدة الاحتفاظ ({})، لذا لم يُمحَ أي سجل: فالساعة التي قفزت إلى الأمام قد تمحو السجلات قبل أوانها بسنوات. إذا كان التاريخ صحيحًا (لم يُستخدم المكتب طوال هذه المدة) فلينقر المدير على «الساعة صحيحة»؛ وإلا فاضبط التاريخ والوقت.",
    },
}
